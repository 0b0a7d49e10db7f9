"""What a period left out, in one sentence."""

from __future__ import annotations

from collections.abc import Mapping

from ecograph.explain.words import plural

__all__ = ["period_sentence"]


def period_sentence(info: Mapping) -> str:
    """The sentence every result as of a period carries: the period and what it left out.

    Parameters
    ----------
    info : mapping
        :meth:`ecograph.period.PeriodFilter.info`.

    Examples
    --------
    >>> period_sentence({"period": "2023–2025", "undated_ties": 12, "inactive_ties": 40, "organisations_not_founded": 3})
    'As of 2023–2025: 12 ties without a date left out, as are 40 ties not active then and 3 organisations founded later.'
    >>> period_sentence({"period": "2024", "undated_ties": 0, "inactive_ties": 0, "organisations_not_founded": 0})
    'As of 2024: no tie is without a date.'
    """
    undated = int(info.get("undated_ties") or 0)
    head = f"As of {info['period']}: " + (
        f"{plural(undated, 'tie')} without a date left out" if undated else "no tie is without a date"
    )
    rest = []
    if info.get("inactive_ties"):
        rest.append(f"{plural(int(info['inactive_ties']), 'tie')} not active then")
    if info.get("organisations_not_founded"):
        rest.append(f"{plural(int(info['organisations_not_founded']), 'organisation')} founded later")
    if rest and undated:
        return f"{head}, as are {' and '.join(rest)}."
    if rest:
        return f"{head}; left out: {' and '.join(rest)}."
    return head + "."
