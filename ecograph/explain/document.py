"""A document of findings — title, summary lines, sections of sentences and tables — as Markdown or HTML.

Every explanation (the weak-link report, a comparison, a scorecard) builds the same shape:
``sections`` is a list of ``{"key", "title", "intro", "findings": [{"sentence": …}],
"table": {"columns", "rows"}?}``. Names inside are text: the renderers escape them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

__all__ = ["markdown", "markdown_text", "page"]


def markdown_text(text: object) -> str:
    """*text* safe inside Markdown: no raw HTML, no table breaks, no emphasis.

    Examples
    --------
    >>> markdown_text("<b>*A*</b> | B")
    '&lt;b&gt;\\\\*A\\\\*&lt;/b&gt; \\\\| B'
    """
    out = str(text).replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        out = out.replace(ch, "\\" + ch)
    return out


def markdown(title: str, summary: Sequence[str], sections: Sequence[Mapping]) -> str:
    """The document as Markdown: a summary list, then one section after another.

    Examples
    --------
    >>> text = markdown("Change", ["2 ties gained"], [{"key": "k", "title": "T", "intro": "I", "findings": []}])
    >>> text.splitlines()[:3]
    ['# Change', '', '- 2 ties gained']
    """
    md = markdown_text
    lines = [f"# {md(title)}", ""]
    lines += [f"- {md(line)}" for line in summary]
    for section in sections:
        lines += ["", f"## {md(section['title'])}", "", md(section["intro"]), ""]
        if not section["findings"]:
            lines.append("Nothing to report.")
        lines += [f"- {md(f['sentence'])}" for f in section["findings"]]
        table = section.get("table")
        if table:
            lines += ["", "| " + " | ".join(md(c) for c in table["columns"]) + " |"]
            lines.append("|" + "---|" * len(table["columns"]))
            lines += ["| " + " | ".join(md(x) for x in row) + " |" for row in table["rows"]]
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2933; }
h1 { font-size: 1.8rem; border-bottom: 2px solid #3e7cb1; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; color: #234e70; }
p.intro { color: #52606d; }
ul.summary li { margin: .2rem 0; }
ul.findings li { margin: .4rem 0; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #cbd2d9; padding: .3rem .6rem; text-align: right; }
th { background: #f0f4f8; }
"""


def page(title: str, summary: Sequence[str], sections: Sequence[Mapping]) -> str:
    """The document as one standalone HTML page with its own simple style sheet.

    Every text and number is escaped with :func:`html.escape`.

    Examples
    --------
    >>> html_page = page("<script>", [], [])
    >>> "<script>" in html_page, "&lt;script&gt;" in html_page
    (False, True)
    """
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(str(title))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{e(str(title))}</h1>",
        '<ul class="summary">',
        *(f"<li>{e(line)}</li>" for line in summary),
        "</ul>",
    ]
    for section in sections:
        parts.append(f'<section id="{e(str(section["key"]))}">')
        parts.append(f"<h2>{e(str(section['title']))}</h2>")
        parts.append(f'<p class="intro">{e(str(section["intro"]))}</p>')
        if section["findings"]:
            parts.append('<ul class="findings">')
            parts += [f"<li>{e(str(f['sentence']))}</li>" for f in section["findings"]]
            parts.append("</ul>")
        else:
            parts.append("<p>Nothing to report.</p>")
        table = section.get("table")
        if table:
            parts.append("<table>")
            parts.append("<tr>" + "".join(f"<th>{e(str(c))}</th>" for c in table["columns"]) + "</tr>")
            for row in table["rows"]:
                parts.append("<tr>" + "".join(f"<td>{e(str(x))}</td>" for x in row) + "</tr>")
            parts.append("</table>")
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
