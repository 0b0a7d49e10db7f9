"""Recommended partners for one organisation, or for a pair of categories."""

from ecograph import api
from ecograph.model import CATEGORIES
from queries.base import NamedQuery, Param, register


def run(ws, org, source_category, target_category, top):
    return api.recommend(
        ws, org=org, top=top, source_category=source_category, target_category=target_category
    )


QUERY = register(
    NamedQuery(
        name="recommended-partners",
        title="Recommended partners",
        description="Missing partnerships ranked by shared partners, Adamic–Adar, resource "
        "allocation and shared sectors, each with its reason; for one organisation or a category pair.",
        run=run,
        parameters=(
            Param("org", "str", None, "organisation id"),
            Param("source_category", "choice", None, "from this category", choices=CATEGORIES),
            Param("target_category", "choice", None, "to this category", choices=CATEGORIES),
            Param("top", "int", 20, "how many recommendations"),
        ),
        returns="source, target, score, common_partners, shared_sectors, reason",
    )
)
