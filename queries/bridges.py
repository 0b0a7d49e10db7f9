"""Bridges and articulation points: single ties and single organisations whose loss splits the network."""

from ecograph.analysis import articulation_cuts, bridge_cuts
from queries.base import NamedQuery, Param, register


def run(ws, what, min_size, top):
    G = ws.graph
    cuts = ws.cached(
        f"query-bridges-{what}",
        {"min_size": min_size},
        lambda: (
            bridge_cuts(G, min_size=min_size) if what == "ties" else articulation_cuts(G, min_size=min_size)
        ),
    )
    return cuts[:top]


QUERY = register(
    NamedQuery(
        name="bridges",
        title="Bridges and articulation points",
        description="Ties (what=ties) or organisations (what=organisations) whose removal cuts "
        "part of the ecosystem off, with the size and make-up of what is cut off.",
        run=run,
        parameters=(
            Param(
                "what", "choice", "organisations", "organisations or ties", choices=("organisations", "ties")
            ),
            Param("min_size", "int", 1, "only cuts that separate at least this many organisations"),
            Param("top", "int", 20, "how many rows"),
        ),
        returns="the cut tie or organisation, cut_off size and its make-up by category and province",
    )
)
