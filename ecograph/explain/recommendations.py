"""Why a partnership is recommended, in one sentence.

:func:`ecograph.analysis.recommend` gives each pair its reason as data, under ``why``: the
names of the first shared partners, how many there are, the shared sectors and both
provinces. :func:`reason` words it, once, for every place that shows it: the rows of
:func:`ecograph.api.recommend` (the command line's table, JSON and CSV, the explorer's
tables), the weak-link report's missing links and the back-test of ``compare``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["reason", "worded"]


def _sentence(why: Mapping) -> str:
    parts = []
    count, names = why["partner_count"], why["partners"]
    if count:
        more = f" and {count - len(names)} more" if count > len(names) else ""
        parts.append(f"{count} shared partner{'s' if count != 1 else ''}: {', '.join(names)}{more}")
    if why["sectors"]:
        parts.append("both in " + " and ".join(str(s) for s in why["sectors"]))
    pu, pv = why["provinces"]
    if pu and pv:
        parts.append(f"both in {pu}" if pu == pv else f"different provinces ({pu}, {pv})")
    return "; ".join(parts) if parts else "no shared partner or sector"


def reason(row: Mapping) -> str:
    """The sentence of a recommendation: worded from its ``why``, or the ``reason`` it already has.

    Examples
    --------
    >>> why = {"partners": ["Hub"], "partner_count": 1, "sectors": ["agritech"], "provinces": ["Huế", "Huế"]}
    >>> reason({"why": why})
    '1 shared partner: Hub; both in agritech; both in Huế'
    """
    return _sentence(row["why"]) if "why" in row else row["reason"]


def worded(row: Mapping) -> dict:
    """*row* with its ``reason`` sentence in the place of its ``why``; a worded row stays as it is.

    Examples
    --------
    >>> why = {"partners": [], "partner_count": 0, "sectors": [], "provinces": [None, "Huế"]}
    >>> worded({"source": "a", "why": why, "score": 0.5})
    {'source': 'a', 'reason': 'no shared partner or sector', 'score': 0.5}
    """
    if "reason" in row:
        return dict(row)
    return {("reason" if k == "why" else k): (reason(row) if k == "why" else v) for k, v in row.items()}
