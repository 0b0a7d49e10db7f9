"""A comparison of two states of the ecosystem in plain sentences, with its Markdown and HTML.

:func:`sections` turns :func:`ecograph.analysis.change.compare`'s result into the
document shape of :mod:`ecograph.explain.document`; the command line and the explorer's
"Change over time" page both show what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecograph.explain import document
from ecograph.explain.period import period_sentence
from ecograph.explain.recommendations import reason
from ecograph.explain.recommendations import worded as worded_recommendation
from ecograph.explain.words import category_words, plural

__all__ = ["render_html", "render_markdown", "sections", "state_label", "summary_lines", "title", "worded"]


def worded(result: Mapping) -> dict:
    """*result* with each back-tested recommendation that came true carrying its ``reason``
    in words in the place of its ``why`` (:func:`ecograph.explain.recommendations.worded`);
    every other number and name as it is, and *result* itself untouched."""
    backtest = result["backtest"]
    came_true = [worded_recommendation(r) for r in backtest["came_true"]]
    return {**result, "backtest": {**backtest, "came_true": came_true}}


def state_label(state: Mapping) -> str:
    """How a state is named: its saved snapshot, its period, or "the store now"."""
    if state.get("state"):
        return f"snapshot {state['state']}"
    if state.get("period"):
        return str(state["period"])
    return "the store now"


def _group_pair(attr: str, a: object, b: object) -> str:
    if attr == "category":
        return (
            f"{category_words(a, 2).capitalize()} and {category_words(b, 2)}"
            if a != b
            else f"{category_words(a, 2).capitalize()} among themselves"
        )
    word = "sector" if attr == "sectors" else "province"
    return f"{word.capitalize()}s {a} and {b}" if a != b else f"Inside {word} {a}"


def _signed(x: float, digits: int = 2) -> str:
    return f"{x:+.{digits}f}"


def _makeup(mk: Mapping) -> str:
    cats = list((mk.get("category") or {}).items())
    parts = [", ".join(f"{c} {category_words(k, c)}" for k, c in cats[:3])] if cats else []
    provinces = [p for p in (mk.get("province") or {}) if p != "(unknown)"]
    if provinces:
        parts.append("in " + ", ".join(map(str, provinces[:2])) + (" and more" if len(provinces) > 2 else ""))
    return "; ".join(parts)


def title(result: Mapping) -> str:
    """``Change from 2020–2022 to 2023–2025`` (in a province, when one was chosen)."""
    head = f"Change from {state_label(result['before'])} to {state_label(result['after'])}"
    return head + (f" in {result['province']}" if result.get("province") else "")


def summary_lines(result: Mapping) -> list[str]:
    """The comparison's headline numbers, one line each."""
    a, b = result["before"], result["after"]
    ta, tb = state_label(a), state_label(b)
    t = result["ties"]
    lines = [
        f"{plural(a['organisations'], 'organisation')} and {plural(a['ties'], 'tie')} in {ta}; "
        f"{b['organisations']:,} and {b['ties']:,} in {tb}",
        f"{plural(t['gained'], 'tie')} gained, {t['lost']:,} lost and {t['kept']:,} kept"
        + (f" (ties with an end in {result['province']})" if result.get("province") else ""),
        f"The largest connected part held {100 * a['largest_share']:.0f}% of the organisations in {ta} "
        f"and {100 * b['largest_share']:.0f}% in {tb}",
    ]
    for state in (a, b):
        if state.get("period"):
            lines.append(period_sentence(state))
    return lines


def _section(key: str, heading: str, intro: str, findings: list[str]) -> dict:
    return {"key": key, "title": heading, "intro": intro, "findings": [{"sentence": s} for s in findings]}


def _ties(result: Mapping) -> dict:
    t = result["ties"]
    found = []
    for attr in ("category", "province", "sectors"):
        for r in t.get(attr, [])[:5]:
            found.append(
                f"{_group_pair(attr, r['group_a'], r['group_b'])}: {plural(r['gained'], 'tie')} gained "
                f"and {r['lost']:,} lost (net {r['net']:+,})."
            )
    return _section(
        "ties",
        "Ties gained and lost",
        "Partnerships that exist in one state and not in the other, by category, province and sector pair "
        "(the pairs with most change first).",
        found,
    )


def _gaps(result: Mapping, ta: str, tb: str) -> dict:
    found = []
    for attr in ("category", "province", "sectors"):
        for r in result["gaps"].get(attr, [])[:5]:
            found.append(
                f"{_group_pair(attr, r['group_a'], r['group_b'])}: {r['ratio_before']:.2f}× the ties expected "
                f"from their numbers of partners in {ta} ({r['observed_before']:,.0f} of "
                f"{r['expected_before']:,.1f}), {r['ratio_after']:.2f}× in {tb} ({r['observed_after']:,.0f} of "
                f"{r['expected_after']:,.1f}): {_signed(r['change'])}."
            )
    return _section(
        "gaps",
        "Under-connected groups",
        "Group pairs tied less than expected if ties formed at random with each organisation keeping its "
        "number of partners (observed/expected), in either state; the largest changes first.",
        found,
    )


def _bridges(result: Mapping, ta: str, tb: str) -> dict:
    b, p = result["bridges"], result["articulation_points"]
    found = []
    for r in b["healed"]:
        how = (
            "a second route now joins them to the rest"
            if r["tie_kept"]
            else "the tie has ended but another route joins them to the rest"
        )
        found.append(
            f"Healed: in {ta} the tie between {r['u_name']} and {r['v_name']} was the only link of "
            f"{r['cut_off']:,} organisations ({_makeup(r['makeup'])}); in {tb} {how}."
        )
    for r in p["healed"]:
        found.append(
            f"Healed: in {ta} {r['name']} was the only link of {r['cut_off']:,} organisations "
            f"({_makeup(r['makeup'])}) to the rest; in {tb} they have another route."
        )
    for r in b["appeared"]:
        found.append(
            f"New bridge: in {tb} the {'new ' if r['new_tie'] else ''}tie between {r['u_name']} and "
            f"{r['v_name']} is the only link of {r['cut_off']:,} organisations ({_makeup(r['makeup'])})."
        )
    for r in p["appeared"]:
        found.append(
            f"New cut point: in {tb} {r['name']} is the only link of {r['cut_off']:,} organisations "
            f"({_makeup(r['makeup'])}) to the rest."
        )
    for r in b["broken"]:
        found.append(
            f"Cut off: the tie between {r['u_name']} and {r['v_name']} has ended, and the {r['cut_off']:,} "
            f"organisations behind it ({_makeup(r['makeup'])}) no longer reach the rest in {tb}."
        )
    intro = (
        f"Single ties (bridges) and organisations (cut points) whose loss would cut off two or more "
        f"organisations: {b['before']:,} bridges in {ta} and {b['after']:,} in {tb} ({b['healed_count']:,} "
        f"healed, {b['appeared_count']:,} new); {p['before']:,} cut points and {p['after']:,} "
        f"({p['healed_count']:,} healed, {p['appeared_count']:,} new)."
    )
    return _section("bridges", "Bridges healed and appeared", intro, found)


def _brokers(result: Mapping) -> dict:
    found = []
    labels = {
        "betweenness": "by betweenness (share of shortest paths through it)",
        "constraint": "by constraint (lowest first: partners who do not know each other)",
    }
    for measure in ("betweenness", "constraint"):
        for r in result["brokers"][measure][:5]:
            verb = "rose" if r["moved"] > 0 else "fell"
            found.append(
                f"{r['name']} ({category_words(r['category'])}) {verb} from rank {r['rank_before']:,} to "
                f"{r['rank_after']:,} {labels[measure]}."
            )
    return _section(
        "brokers",
        "Brokers that moved",
        f"Organisations near the top whose rank moved most; betweenness is {result['brokers']['method']}, "
        "from the same sources in both states.",
        found,
    )


def _periphery(result: Mapping, ta: str, tb: str) -> dict:
    p = result["periphery"]
    found = []
    for r in p["joined"]:
        if r["isolate"]:
            found.append(f"{r['names']} had no tie in {ta} and joined the main network in {tb}.")
        else:
            found.append(
                f"A group of {r['size']:,} tied only among themselves in {ta} joined the main network in "
                f"{tb}: {r['names']}."
            )
    if p["left_count"]:
        names = ", ".join(str(r["name"]) for r in p["left"][:3])
        more = f" and {p['left_count'] - 3:,} more" if p["left_count"] > 3 else ""
        found.append(f"{plural(p['left_count'], 'organisation')} left the main network: {names}{more}.")
    intro = (
        f"{plural(p['joined_count'], 'organisation')} outside the main network in {ta} "
        f"joined it in {tb} ({p['isolates_joined']:,} had no tie at all)."
    )
    return _section("periphery", "Isolates and small groups that joined", intro, found)


def _gatekeepers(result: Mapping, ta: str, tb: str) -> dict:
    g = result["gatekeepers"]
    found = []
    for r in g["appeared"]:
        gate = r["gateway"]
        before = (
            "had no foreign tie" if r["gateways_before"] == 0 else f"had {r['gateways_before']:,} gateways"
        )
        if r["by"] == "country":
            found.append(
                f"New gatekeeper: in {tb} all {plural(r['foreign_partners'], 'partner')} from {r['group']} reach "
                f"the country through {gate['name']} ({category_words(gate['category'])}); in {ta} they {before}."
            )
        else:
            found.append(
                f"New gatekeeper: in {tb} {r['group']} reaches its {plural(r['foreign_partners'], 'foreign partner')} "
                f"only through {gate['name']}; in {ta} it {before}."
            )
    for r in g["diluted"]:
        gate = r["gateway"]
        who = f"partners from {r['group']}" if r["by"] == "country" else str(r["group"])
        found.append(
            f"Diluted: in {ta} {who} went abroad only through {gate['name']}; in {tb} through "
            f"{r['gateways_after']:,} organisations, the largest holding {100 * r['share_after']:.0f}% of the ties."
        )
    return _section(
        "gatekeepers",
        "Foreign gatekeepers",
        "Provinces that reach foreign partners, and foreign countries that reach this one, through a "
        "single organisation: gatekeepers that appeared or were diluted.",
        found,
    )


def _research(result: Mapping, ta: str, tb: str) -> dict:
    r = result["research"]
    found = [
        f"Startups in {row['sector']} gained their first research partners: {row['with_research_after']:,} of "
        f"{row['startups_after']:,} have a university or research-institute partner in {tb}; none of "
        f"{row['startups_before']:,} did in {ta}."
        for row in r["gained_first"]
    ]
    found += [
        f"Startups in {row['sector']} lost their last research partner: {row['with_research_before']:,} of "
        f"{row['startups_before']:,} had one in {ta}, none of {row['startups_after']:,} in {tb}."
        for row in r["lost_all"]
    ]
    return _section(
        "research",
        "Startups and research partners",
        "Sectors whose startups gained their first university or research-institute partner, or lost the last.",
        found,
    )


def _backtest(result: Mapping, ta: str, tb: str) -> dict:
    t = result["backtest"]
    found = []
    if t["recommended"]:
        lift = f", {t['lift']:,.0f} times what chance gives" if t.get("lift") else ""
        found.append(
            f"Of the {t['recommended']:,} partnerships recommended from {ta}, {len(t['came_true']):,} "
            f"({100 * t['share']:.1f}%) were formed by {tb}, against {100 * t['chance']:.3f}% of all "
            f"{t['untied_pairs']:,} pairs not tied in {ta}{lift}."
        )
    found += [f"Came true: {r['source_name']} and {r['target_name']} ({reason(r)})." for r in t["came_true"]]
    return _section(
        "backtest",
        "Recommendations that came true",
        "A back-test of the recommender: its top partnerships of the first state, and how many the second "
        "state holds, against the share of all untied pairs that got tied.",
        found,
    )


def sections(result: Mapping) -> list[dict]:
    """The comparison's findings, family by family, each a plain sentence with its numbers."""
    ta, tb = state_label(result["before"]), state_label(result["after"])
    return [
        _ties(result),
        _bridges(result, ta, tb),
        _gatekeepers(result, ta, tb),
        _research(result, ta, tb),
        _periphery(result, ta, tb),
        _gaps(result, ta, tb),
        _brokers(result),
        _backtest(result, ta, tb),
    ]


def render_markdown(result: Mapping) -> str:
    """The comparison as Markdown (names escaped)."""
    return document.markdown(title(result), summary_lines(result), sections(result))


def render_html(result: Mapping) -> str:
    """The comparison as one standalone HTML page (names escaped)."""
    return document.page(title(result), summary_lines(result), sections(result))
