"""Under-connected sector pairs: sectors whose organisations work together far less than expected."""

from ecograph.analysis import group_gaps
from queries.base import NamedQuery, Param, register


def run(ws, attr, top):
    rows = ws.cached("query-gaps", {"attr": attr}, lambda: group_gaps(ws.graph, attr))
    return rows[:top]


QUERY = register(
    NamedQuery(
        name="under-connected-sectors",
        title="Under-connected sector pairs",
        description="Pairs of sectors (or categories, provinces) with fewer ties between their "
        "organisations than their degree totals would give, with observed/expected and a z-score.",
        run=run,
        parameters=(
            Param("attr", "choice", "sectors", "group by", choices=("sectors", "category", "province")),
            Param("top", "int", 20, "how many pairs"),
        ),
        returns="the two groups, observed, expected, ratio, z",
    )
)
