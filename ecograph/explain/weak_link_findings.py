"""One sentence for each kind of weak-link finding, from the numbers and names it carries.

:func:`ecograph.analysis.weak_link_report` returns findings as data; :func:`sentence`
words one, whatever front end shows it. Names stay text here: the renderers escape them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ecograph.explain.recommendations import reason
from ecograph.explain.words import category_words as _words
from ecograph.explain.words import number, plural, share

__all__ = [
    "PERIPHERY_SENTENCES",
    "ROLE_SENTENCES",
    "SENTENCES",
    "bridge_label",
    "category_makeup",
    "community_words",
    "describe_makeup",
    "gap_pair",
    "point_label",
    "sentence",
]

ROLE_SENTENCES = {
    "gatekeeper": "lets {n} from other groups reach its own group ({group}) — a gatekeeper",
    "representative": "carries {n} from its own group ({group}) out to other groups — a representative",
    "liaison": "links {pairs} of organisations from two groups other than its own — a liaison",
    "itinerant": "links {pairs} inside another group — an itinerant broker",
    "coordinator": "links {pairs} inside its own group ({group}) — a coordinator",
}
"""Gould–Fernandez role → what an organisation with that role does, after its name."""

PERIPHERY_SENTENCES = {
    "isolates": ("organisation has no tie at all", "organisations have no tie at all"),
    "startups_without_investor": ("startup has no investor", "startups have no investor"),
    "universities_without_industry": (
        "university has no company or startup partner",
        "universities have no company or startup partner",
    ),
    "institutes_without_foreign_partner": (
        "research institute has no foreign partner",
        "research institutes have no foreign partner",
    ),
}
"""A list of peripheral organisations → what one (and what many) of them lack."""


def category_makeup(makeup: Mapping[str, Mapping], shown: int = 3) -> str:
    """The first *shown* categories of a make-up dict: ``"3 startups, 1 university"``.

    Examples
    --------
    >>> category_makeup({"category": {"startup": 3, "university": 1}})
    '3 startups, 1 university'
    """
    cats = list((makeup.get("category") or {}).items())
    return ", ".join(f"{c} {_words(k, c)}" for k, c in cats[:shown])


def describe_makeup(makeup: Mapping[str, Mapping], total: int) -> str:
    """``"3 startups, 1 university; mostly in Cần Thơ"`` from a make-up dict.

    Examples
    --------
    >>> describe_makeup({"category": {"startup": 3, "university": 1}, "province": {"Cần Thơ": 4}}, 4)
    '3 startups, 1 university; all in Cần Thơ'
    """
    parts = []
    cats = list((makeup.get("category") or {}).items())
    if cats:
        rest = sum(c for _, c in cats[3:])
        parts.append(
            category_makeup(makeup) + (f" and {rest} other{'s' if rest != 1 else ''}" if rest else "")
        )
    provinces = [(p, c) for p, c in (makeup.get("province") or {}).items() if p != "(unknown)"]
    if provinces:
        p, c = provinces[0]
        parts.append(f"all in {p}" if c == total else f"mostly in {p}" if 2 * c > total else f"{c} in {p}")
    return "; ".join(parts)


def gap_pair(kind: str, a: object, b: object) -> str:
    """The two groups of a gap in words: ``"Startups and universities"``, ``"agritech and fintech"``.

    Examples
    --------
    >>> gap_pair("category", "startup", "university"), gap_pair("sector_category", "agritech", "university")
    ('Startups and universities', 'Agritech organisations and universities')
    """
    if kind == "category":
        return f"{_words(a, 2).capitalize()} and {_words(b, 2)}" if a != b else f"{_words(a, 2).capitalize()}"
    if kind == "sector_category":
        return f"{str(a).capitalize()} organisations and {_words(b, 2)}"
    return f"{a} and {b}" if a != b else f"Inside {a}"


def community_words(profile: Mapping) -> str:
    """A community by its size, main category and main province: ``"40 organisations, 60% startups, 80% in Huế"``."""
    mk = profile["makeup"]
    cat = next(iter((mk.get("category") or {}).items()), None)
    prov = next(((p, c) for p, c in (mk.get("province") or {}).items() if p != "(unknown)"), None)
    text = f"{profile['size']:,} organisations"
    if cat:
        text += f", {share(cat[1], profile['size'])} {_words(cat[0], 2)}"
    if prov:
        text += f", {share(prov[1], profile['size'])} in {prov[0]}"
    return text


def bridge_label(cut: Mapping) -> str:
    """A bridge in a list to pick from: ``"Tie A – B (cuts off 4)"``."""
    return f"Tie {cut['u_name']} – {cut['v_name']} (cuts off {cut['cut_off']})"


def point_label(point: Mapping) -> str:
    """An articulation point in a list to pick from: ``"Organisation A (cuts off 3)"``."""
    return f"Organisation {point['name']} (cuts off {point['cut_off']})"


# -- bridges -----------------------------------------------------------------------------------


def _bridge(f: Mapping) -> str:
    return (
        f"The tie between {f['u_name']} and {f['v_name']} is the only link to "
        f"{f['cut_off']} organisations ({describe_makeup(f['makeup'], f['cut_off'])}): "
        f"losing it cuts them off from the other {f['component_size'] - f['cut_off']:,}."
    )


def _articulation_point(f: Mapping) -> str:
    return (
        f"{f['name']} ({_words(f['category'])}{', ' + f['province'] if f['province'] else ''}) "
        f"is the only link between {f['cut_off']} organisations "
        f"({describe_makeup(f['makeup'], f['cut_off'])}) and the rest: without it, its part of "
        f"the ecosystem splits into {f['parts']} parts."
    )


def _local_bridge(f: Mapping) -> str:
    return (
        f"{f['u_name']} ({f['u_partners']} partners) and {f['v_name']} ({f['v_partners']} partners) share "
        f"no partner: without their tie the shortest route between them takes {f['span']} steps."
    )


# -- brokers -----------------------------------------------------------------------------------


def _structural_hole(f: Mapping) -> str:
    return (
        f"{f['name']} ({_words(f['category'])}) spans structural holes: constraint {f['value']:.3f}, "
        f"effective size {f['effective_size']:.1f} of {f['partners']} partners."
    )


def _betweenness(f: Mapping) -> str:
    return (
        f"{f['name']} ({_words(f['category'])}) lies on {100 * f['value']:.1f}% of the shortest "
        f"paths between other organisations."
    )


def _brokerage(f: Mapping) -> str:
    count = int(f["value"])
    does = ROLE_SENTENCES[f["role"]].format(
        n=plural(count, "contact"), pairs=plural(count, "pair"), group=_words(f["category"], 2)
    )
    return f"{f['name']} {does}."


# -- gaps --------------------------------------------------------------------------------------


def _gap(f: Mapping) -> str:
    kind = f["kind"].removeprefix("gap_")
    a, b = f["group_a"], f["group_b"]
    got = (
        "no ties" if f["observed"] == 0 else f"{number(f['observed'])} tie{'s' if f['observed'] != 1 else ''}"
    )
    want = f"{f['expected']:.1f}" if f["expected"] < 10 else f"{f['expected']:,.0f}"
    among = " among themselves" if a == b and kind == "category" else ""
    return (
        f"{gap_pair(kind, a, b)}{among}: {got} where {want} would be expected from their "
        f"numbers of partners ({f['ratio']:.2f}×, z = {f['z']:.1f})."
    )


# -- communities -------------------------------------------------------------------------------


def _community(f: Mapping) -> str:
    linkers = ", ".join(x["name"] for x in f["linkers"][:3])
    return (
        f"Community {f['community']}: {community_words(f)}; {f['external_ties']:,} ties to other "
        f"communities" + (f", most held by {linkers}." if linkers else ".")
    )


def _fragile_link(f: Mapping) -> str:
    a, b = f.get("profile_a"), f.get("profile_b")
    ties = "; ".join(f"{t['u_name']} – {t['v_name']}" for t in f["tie_list"])
    return (
        f"Community {f['community_a']} ({community_words(a) if a else ''}) and community "
        f"{f['community_b']} ({community_words(b) if b else ''}) are joined by "
        f"{'a single tie' if f['ties'] == 1 else str(f['ties']) + ' ties'}: {ties}."
    )


# -- periphery ---------------------------------------------------------------------------------


def _periphery_list(f: Mapping) -> str:
    one, many = PERIPHERY_SENTENCES[f["kind"]]
    count, shown = f["count"], [r["name"] for r in f["examples"][:5]]
    names = ", ".join(shown) + (f" and {count - len(shown):,} more" if count > len(shown) else "")
    return f"{count:,} {one if count == 1 else many}: {names}."


def _small_components(f: Mapping) -> str:
    groups = f["count"]
    organisations = sum(int(size) * n for size, n in f["sizes"].items())
    return (
        f"{plural(groups, 'group')} ({organisations:,} organisations) "
        f"{'is' if groups == 1 else 'are'} tied among themselves but not to the main network"
        f"{'' if groups == 1 else '; the largest'}: "
        + "; ".join(f"{', '.join(c['examples'][:3])} ({c['size']})" for c in f["examples"][:3])
        + "."
    )


def _province_gatekeeper(f: Mapping) -> str:
    return (
        f"Of the {f['organisations']} organisations in {f['group']}, only {f['gateways'][0]['name']} has "
        f"foreign partners ({f['foreign_partners']}): the province reaches abroad through it alone."
    )


def _country_gatekeeper(f: Mapping) -> str:
    g = f["gateways"][0]
    return (
        f"All {f['organisations']} partners from {f['group']} reach the country through "
        f"{g['name']} ({_words(g['category'])})."
    )


# -- missing links and resilience --------------------------------------------------------------


def _missing(f: Mapping) -> str:
    return f"{f['source_name']} and {f['target_name']}: {reason(f)}."


def _attack(f: Mapping) -> str:
    names = ", ".join(f["first_removed"])
    return (
        f"Removing the top {'broker' if f['removed'] == 1 else str(f['removed']) + ' brokers'} "
        f"({100 * f['fraction']:.1f}%, {'' if f['removed'] == 1 else 'starting with '}{names}) "
        f"shrinks the largest connected part from {f['largest_before']:,} to {f['targeted']:,} organisations; "
        f"removing as many at random leaves {f['random']:,.0f}."
    )


SENTENCES: dict[str, Callable[[Mapping], str]] = {
    "bridge": _bridge,
    "articulation_point": _articulation_point,
    "local_bridge": _local_bridge,
    "structural_hole": _structural_hole,
    "betweenness": _betweenness,
    **{f"brokerage_{role}": _brokerage for role in ROLE_SENTENCES},
    **{f"gap_{kind}": _gap for kind in ("category", "sectors", "sector_category", "province")},
    "community": _community,
    "fragile_link": _fragile_link,
    **dict.fromkeys(PERIPHERY_SENTENCES, _periphery_list),
    "small_components": _small_components,
    "province_gatekeeper": _province_gatekeeper,
    "country_gatekeeper": _country_gatekeeper,
    **{f"missing_{pair}": _missing for pair in ("any", "university_startup", "institute_company")},
    "attack": _attack,
}
"""A finding's ``kind`` → the function that words it."""


def sentence(finding: Mapping) -> str:
    """The finding in one plain sentence, with the names it carries.

    Examples
    --------
    >>> sentence({"kind": "isolates", "count": 1, "examples": [{"name": "Lonely Hub"}]})
    '1 organisation has no tie at all: Lonely Hub.'
    """
    return SENTENCES[finding["kind"]](finding)
