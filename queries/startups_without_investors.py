"""Startups with no investment tie."""

from ecograph.analysis import startups_without_investor
from queries.base import NamedQuery, Param, register


def run(ws, province, top):
    rows = startups_without_investor(ws.graph)
    if province:
        rows = [r for r in rows if r.get("province") == province]
    return rows[:top]


QUERY = register(
    NamedQuery(
        name="startups-without-investors",
        title="Startups without investors",
        description="Startups that no investor is tied to, optionally in one province.",
        run=run,
        parameters=(
            Param("province", "str", None, "only this province, as written (e.g. Đà Nẵng)"),
            Param("top", "int", 50, "how many rows"),
        ),
        returns="id, name, province, sectors, partners",
    )
)
