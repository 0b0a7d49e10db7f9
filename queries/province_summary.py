"""Province summary: size, make-up and outside ties of each province's organisations."""

from ecograph.analysis.summary import group_summary
from queries.base import NamedQuery, Param, register


def run(ws, attr):
    return group_summary(ws.graph, attr)


QUERY = register(
    NamedQuery(
        name="province-summary",
        title="Province summary",
        description="For each province (or sector, category): organisations, make-up, ties "
        "inside, ties outside and to foreign partners.",
        run=run,
        parameters=(
            Param("attr", "choice", "province", "group by", choices=("province", "sectors", "category")),
        ),
        returns="group, organisations, by_category, internal_ties, external_ties, foreign_ties, external_share",
    )
)
