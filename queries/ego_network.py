"""The ego network of one organisation: its partners and, with radius 2, theirs."""

from ecograph.analysis.ego import ego_network
from queries.base import NamedQuery, Param, register


def run(ws, org, radius):
    return ego_network(ws.graph, org, radius=radius)


QUERY = register(
    NamedQuery(
        name="ego-network",
        title="Ego network of an organisation",
        description="The organisations within one or two steps of an organisation.",
        run=run,
        parameters=(
            Param("org", "str", None, "organisation id", required=True),
            Param("radius", "int", 1, "1 (partners) or 2 (partners of partners)"),
        ),
        returns="id, name, category, province, distance, via, weight, kinds",
    )
)
