"""The weak-link report in words: its title, sections and sentences, summary lines, Markdown and HTML.

:func:`ecograph.analysis.weak_link_report` returns numbers and names; :func:`worded` adds
each section's title and intro (:mod:`ecograph.explain.weak_link_families`) and each
finding's sentence (:mod:`ecograph.explain.weak_link_findings`). The Python API
(:func:`ecograph.api.weak_links`), the command line (``ecograph weak-links
--format md|html|json``), the explorer's pages and its downloads all show what these
functions return.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecograph.explain import document
from ecograph.explain.period import period_sentence
from ecograph.explain.recommendations import worded as worded_recommendation
from ecograph.explain.weak_link_families import FAMILIES
from ecograph.explain.weak_link_findings import sentence
from ecograph.explain.words import category_words as _words
from ecograph.explain.words import plural

__all__ = ["render_html", "render_markdown", "summary_lines", "title", "worded"]


def title(report: Mapping) -> str:
    """``"Weak links in the ecosystem"``, or in the graph's ``name`` when it has one."""
    return f"Weak links in {report.get('name') or 'the ecosystem'}"


def _worded_finding(f: Mapping) -> dict:
    rest = {k: v for k, v in f.items() if k not in ("kind", "sentence")}
    if "why" in rest and "reason" not in rest:  # a missing link: its reason in words, its data kept
        rest = {**worded_recommendation(rest), "why": rest["why"]}
    return {"kind": f["kind"], "sentence": sentence(f), **rest}


def _worded_section(section: Mapping) -> dict:
    family = FAMILIES[section["key"]]
    rest = {k: v for k, v in section.items() if k not in ("key", "title", "intro", "findings")}
    findings = [_worded_finding(f) for f in section["findings"]]
    return {
        "key": section["key"],
        "title": family.title,
        "intro": family.intro(section),
        "findings": findings,
        **rest,
    }


def worded(report: Mapping) -> dict:
    """The report with its words: a ``title``, each section's ``title`` and ``intro``, each finding's ``sentence``.

    Every number and name of *report* stays as it is; wording a worded report again
    changes nothing.

    Parameters
    ----------
    report : dict
        From :func:`ecograph.analysis.weak_link_report`.

    Returns
    -------
    dict
        JSON-able: ``title`` first, then the keys of *report*; each section
        ``{"key", "title", "intro", "findings", ...}``; each finding ``{"kind", "sentence", ...}``,
        a missing link's with its ``reason`` (:mod:`ecograph.explain.recommendations`) in front of its ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> from ecograph.analysis import weak_link_report
    >>> G = nx.Graph([("a", "b")])
    >>> G.add_node("x", name="Lonely Hub")
    >>> report = worded(weak_link_report(G, sections=("periphery",)))
    >>> report["title"], report["sections"][0]["findings"][0]["sentence"]
    ('Weak links in the ecosystem', '1 organisation has no tie at all: Lonely Hub.')
    """
    rest = {k: v for k, v in report.items() if k not in ("title", "sections")}
    return {"title": title(report), **rest, "sections": [_worded_section(s) for s in report["sections"]]}


def summary_lines(report: Mapping) -> list[str]:
    """The report's summary numbers as short sentences (the period first, when it has one)."""
    s = report["summary"]
    lines = [
        f"{s['organisations']:,} organisations and {s['ties']:,} ties",
        f"{s['components']:,} connected parts; the largest holds {s['largest_component']:,} "
        f"({100 * s['largest_share']:.0f}%); {plural(s['isolates'], 'organisation')} "
        f"{'has' if s['isolates'] == 1 else 'have'} no tie",
        f"{s['average_partners']:.1f} partners per organisation on average",
    ]
    if "bridges" in s:
        lines.append(
            f"{plural(s['bridges'], 'bridge')} and {plural(s['articulation_points'], 'articulation point')}"
        )
    if "communities" in s:
        lines.append(
            f"{plural(s['communities'], 'community', 'communities')} (modularity {s['modularity']:.2f})"
        )
    cats = ", ".join(f"{c:,} {_words(k, c)}" for k, c in s["by_category"].items())
    if cats:
        lines.append(cats)
    if "period" in s:
        lines.insert(0, period_sentence(s["period"]))
    return lines


def render_markdown(report: Mapping) -> str:
    """The report as Markdown: a summary list, then one section per family of weak links.

    Parameters
    ----------
    report : dict
        From :func:`ecograph.analysis.weak_link_report` (worded here) or :func:`worded`.

    Returns
    -------
    str
        Markdown; names are escaped so that none can inject HTML or formatting.

    Examples
    --------
    >>> import networkx as nx
    >>> from ecograph.analysis import weak_link_report
    >>> G = nx.Graph([("a", "b")])
    >>> G.nodes["a"]["name"] = "<b>A</b>"
    >>> text = render_markdown(weak_link_report(G, sections=("periphery",)))
    >>> text.splitlines()[0]
    '# Weak links in the ecosystem'
    """
    report = worded(report)
    return document.markdown(report["title"], summary_lines(report), report["sections"])


def render_html(report: Mapping) -> str:
    """The report as one standalone HTML page with its own simple style sheet.

    Parameters
    ----------
    report : dict
        From :func:`ecograph.analysis.weak_link_report` (worded here) or :func:`worded`.

    Returns
    -------
    str
        A complete HTML document; every name and number is escaped with
        :func:`html.escape`.

    Examples
    --------
    >>> import networkx as nx
    >>> from ecograph.analysis import weak_link_report
    >>> G = nx.Graph([("a", "b")])
    >>> G.add_node("x", name="<script>alert(1)</script>")
    >>> page = render_html(weak_link_report(G, sections=("periphery",)))
    >>> "<script>" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    (False, True)
    """
    report = worded(report)
    return document.page(report["title"], summary_lines(report), report["sections"])
