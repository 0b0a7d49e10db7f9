"""Research reach: the sectors whose startups have no university or research-institute partner."""

from ecograph.analysis.summary import research_reach
from queries.base import NamedQuery, Param, register


def run(ws, attr, top):
    return research_reach(ws.graph, attr)[:top]


QUERY = register(
    NamedQuery(
        name="research-reach",
        title="Sectors without research partners",
        description="For each sector (or province), how many of its startups have a university "
        "or research-institute partner; the sectors cut off from research come first.",
        run=run,
        parameters=(
            Param("attr", "choice", "sectors", "group by", choices=("sectors", "province")),
            Param("top", "int", 20, "how many groups"),
        ),
        returns="group, organisations, with_research, share, research_ties",
    )
)
