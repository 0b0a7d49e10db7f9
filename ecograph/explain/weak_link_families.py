"""The seven families of weak links: each one's name, title, explanation and one-line intro, written once.

The report's sections (:func:`ecograph.explain.weak_links.worded`), the command line's
Markdown and HTML and the explorer's Weak links page all take their words from
:data:`FAMILIES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ecograph.explain.words import plural

__all__ = [
    "COMMUNITY_MAP_CAPTION",
    "FAMILIES",
    "GAP_HEATMAP_CAPTION",
    "PERIPHERY_LISTS",
    "Family",
    "cut_caption",
    "partition_caption",
]


@dataclass(frozen=True)
class Family:
    """How a family of weak links is named and explained."""

    name: str
    """Short, for a tab or a list of families."""
    title: str
    """The report section's heading."""
    explanation: str
    """What the family means and why it matters, in Markdown (the explorer shows it above the family)."""
    intro: Callable[[Mapping], str]
    """The report's section → its one-line intro, with its numbers."""


def _bridges_intro(section: Mapping) -> str:
    c = section["counts"]
    cuts, points, leaves = c["bridges"], c["articulation_points"], c["single_partner_organisations"]
    return (
        f"{plural(cuts, 'tie')} {'is a bridge' if cuts == 1 else 'are bridges'} (losing one splits the "
        f"network) and {plural(points, 'organisation')} "
        f"{'is an articulation point' if points == 1 else 'are articulation points'}; "
        f"{plural(leaves, 'organisation')} {'hangs' if leaves == 1 else 'hang'} on a single partner."
    )


def _brokers_intro(section: Mapping) -> str:
    return (
        "Brokers hold the ecosystem together: low constraint means contacts that do not know each other; "
        f"betweenness is {section['method']}; brokerage roles (Gould & Fernandez) are between categories."
    )


def _communities_intro(section: Mapping) -> str:
    return (
        f"{section['algorithm'].capitalize()} finds {plural(section['communities'], 'community', 'communities')} of five "
        f"or more organisations (modularity {section['modularity']:.2f}); pairs joined by one or two ties "
        "depend on them."
    )


def _resilience_intro(section: Mapping) -> str:
    return (
        "How the largest connected part shrinks when the top brokers (by betweenness, "
        f"{section['method']}) are removed, against the average of random removals."
    )


def _said(text: str) -> Callable[[Mapping], str]:
    """An intro without numbers."""
    return lambda section: text


FAMILIES: dict[str, Family] = {
    "bridges": Family(
        "Bridges",
        "Bridges and articulation points",
        "A **bridge** is a single collaboration that is the only link between two parts of the "
        "ecosystem; an **articulation point** is an organisation whose departure splits its part in "
        "two or more. Both are single points of failure: if the tie ends or the organisation leaves, "
        "the organisations behind it lose every route to the rest.",
        _bridges_intro,
    ),
    "brokers": Family(
        "Brokers",
        "Brokers",
        "**Brokers** connect organisations that would otherwise not be connected. Low *constraint* "
        "means an organisation's partners do not know each other — it spans structural holes. "
        "Brokerage roles count, between categories, the pairs an organisation links: a *gatekeeper* "
        "lets outsiders reach its own category, a *representative* carries its category outward, "
        "a *liaison* links two other categories.",
        _brokers_intro,
    ),
    "gaps": Family(
        "Under-connected groups",
        "Under-connected groups",
        "Pairs of groups with **fewer ties than expected** from how many partners their "
        "organisations have overall: if ties formed at random, this many would join them. A ratio "
        "well below 1 — a startup sector without research partners, two provinces that never work "
        "together — is a gap a programme could close.",
        _said(
            "Group pairs with fewer ties than expected if ties formed at random with each organisation "
            "keeping its number of partners (configuration model), by at least one standard deviation; "
            "most under-connected first, by category, sector, sector against category, and province."
        ),
    ),
    "communities": Family(
        "Communities",
        "Communities and the ties between them",
        "**Communities** are groups of organisations that collaborate mostly among themselves. Two "
        "communities joined by only one or two ties depend on those few ties for every exchange "
        "between them.",
        _communities_intro,
    ),
    "periphery": Family(
        "Periphery",
        "Peripheral organisations",
        "Organisations at the **edge**: with no tie at all, in small groups cut off from the main "
        "network, or missing a kind of partner they need — startups without an investor, "
        "universities without a company or startup partner, research institutes without a foreign "
        "partner, provinces that reach abroad through a single organisation.",
        _said(
            "Organisations at the edge: no tie, no link to the main network, or a missing kind of partner."
        ),
    ),
    "missing_links": Family(
        "Missing links",
        "Missing partnerships",
        "**Missing links** are partnerships that do not exist yet but are likely to work: the two "
        "organisations share partners (common partners, Adamic–Adar, resource allocation) or "
        "sectors. Each comes with the reason it is recommended.",
        _said(
            "Partnerships that do not exist yet, scored by common partners, Adamic–Adar, resource allocation "
            "and shared sectors: overall, then universities with startups and research institutes with companies."
        ),
    ),
    "resilience": Family(
        "Resilience",
        "Resilience",
        "**Resilience**: how the largest connected part of the ecosystem shrinks when its top "
        "brokers leave (highest betweenness first), against the same number leaving at random. A "
        "steep drop for brokers means the ecosystem hangs on a few organisations.",
        _resilience_intro,
    ),
}
"""Section key (:data:`ecograph.analysis.SECTIONS`) → its family, in the report's order."""

PERIPHERY_LISTS = {
    "isolates": "No tie at all",
    "small_components": "Small groups cut off from the main network",
    "startups_without_investor": "Startups without an investor",
    "universities_without_industry": "Universities without a company or startup partner",
    "institutes_without_foreign_partner": "Research institutes without a foreign partner",
    "province_gatekeepers": "Provinces that reach abroad through one organisation",
    "country_gatekeepers": "Countries whose partners all come in through one organisation",
}
"""Each list of :func:`ecograph.analysis.periphery` → its heading."""

GAP_HEATMAP_CAPTION = (
    "Each cell: ties observed / ties expected if each organisation kept its number of partners "
    "and chose them at random (configuration model)."
)
"""Under the category-mixing picture of the under-connected groups."""

COMMUNITY_MAP_CAPTION = (
    "Each circle is a community, sized by its organisations; lines count the ties between them."
)
"""Under the picture of the communities."""


def partition_caption(method: str, modularity: float) -> str:
    """Above the picture of the communities: how they were found and how modular they are.

    Examples
    --------
    >>> partition_caption("louvain resolution=1.0 seed=0", 0.4213)
    'louvain resolution=1.0 seed=0; modularity 0.42.'
    """
    return f"{method}; modularity {modularity:.2f}."


def cut_caption(what: str, cut: int, drawn: int) -> str:
    """Under the picture of what a bridge (*what* ``"bridge"``) or an organisation cuts off.

    Examples
    --------
    >>> cut_caption("point", 3, 3)
    'In red: the organisation and the 3 organisations that only reach the rest through it.'
    """
    head = "the tie" if what == "bridge" else "the organisation"
    text = f"In red: {head} and the {cut:,} organisations that only reach the rest through it"
    if drawn < cut:
        text += f" ({drawn:,} drawn)"
    return text + ("; around them, the partners of its two ends." if what == "bridge" else ".")
