"""Foreign gatekeepers: groups that reach foreign partners only through one organisation."""

from ecograph.analysis import foreign_gatekeepers
from queries.base import NamedQuery, Param, register


def run(ws, by, max_gateways):
    return foreign_gatekeepers(ws.graph, by=by, max_gateways=max_gateways)


QUERY = register(
    NamedQuery(
        name="foreign-gatekeepers",
        title="Foreign gatekeepers",
        description="Provinces (or sectors, categories) whose ties abroad all run through one "
        "organisation, or a few: the gatekeepers a planner depends on.",
        run=run,
        parameters=(
            Param("by", "choice", "province", "group by", choices=("province", "sectors", "category")),
            Param("max_gateways", "int", 1, "report groups with at most this many gateways"),
        ),
        returns="group, gateways, foreign partners reached",
    )
)
