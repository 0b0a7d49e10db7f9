"""Words shared by every explanation: categories as people say them, numbers, shares."""

from __future__ import annotations

__all__ = ["CATEGORY_WORDS", "category_words", "number", "plural", "share"]

CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "foreign_partner": ("foreign partner", "foreign partners"),
    "startup": ("startup", "startups"),
    "company": ("company", "companies"),
    "university": ("university", "universities"),
    "research_institute": ("research institute", "research institutes"),
    "investor": ("investor", "investors"),
    "government": ("government body", "government bodies"),
    "support_org": ("support organisation", "support organisations"),
    "other": ("other organisation", "other organisations"),
}
"""Category → (one, many), as a sentence names them."""


def category_words(category: object, count: int = 1) -> str:
    """``"university"`` or ``"universities"``; an unknown value as written.

    Examples
    --------
    >>> category_words("research_institute", 2), category_words("fintech")
    ('research institutes', 'fintech')
    """
    one, many = CATEGORY_WORDS.get(str(category), (str(category), str(category)))
    return one if count == 1 else many


def number(x: float) -> str:
    """``1,234`` for a whole number, ``12.5`` otherwise.

    Examples
    --------
    >>> number(1234.0), number(2.25)
    ('1,234', '2.2')
    """
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def share(part: float, whole: float) -> str:
    """*part* of *whole* as a whole percentage (``"0%"`` of nothing).

    Examples
    --------
    >>> share(1, 3), share(1, 0)
    ('33%', '0%')
    """
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 tie"``, ``"3 ties"``, ``"1,618 ties"``.

    Examples
    --------
    >>> plural(1, "tie"), plural(1618, "community", "communities")
    ('1 tie', '1,618 communities')
    """
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
