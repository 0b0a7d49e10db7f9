"""The weak-link report in words: its summary lines, and the whole report as Markdown or HTML.

The command line (``ecograph weak-links --format markdown|html``) and the explorer's
downloads render the same report through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecograph.explain import document
from ecograph.explain.period import period_sentence
from ecograph.explain.words import category_words as _words
from ecograph.explain.words import plural

__all__ = ["render_html", "render_markdown", "summary_lines"]


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
        From :func:`ecograph.analysis.weak_link_report`.

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
    return document.markdown(report["title"], summary_lines(report), report["sections"])


def render_html(report: Mapping) -> str:
    """The report as one standalone HTML page with its own simple style sheet.

    Parameters
    ----------
    report : dict
        From :func:`ecograph.analysis.weak_link_report`.

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
    return document.page(report["title"], summary_lines(report), report["sections"])
