"""Top brokers: the organisations most often on the shortest paths between others, by category."""

from ecograph import api
from ecograph.analysis import MEASURES, top_nodes
from ecograph.model import CATEGORIES
from queries.base import NamedQuery, Param, register


def run(ws, category, measure, top):
    result = api.centrality_values(ws, measure)
    return top_nodes(ws.graph, result, n=top, category=category)


QUERY = register(
    NamedQuery(
        name="top-brokers",
        title="Top brokers by category",
        description="Organisations that hold the ecosystem together: highest betweenness "
        "(or another measure), optionally within one category such as university.",
        run=run,
        parameters=(
            Param("category", "choice", None, "only this category", choices=CATEGORIES),
            Param("measure", "choice", "betweenness", "ranking measure", choices=MEASURES),
            Param("top", "int", 10, "how many organisations"),
        ),
        returns="rank, id, name, category, kind, province, sectors, value",
    )
)
