"""Name normalisation for search and matching: folds Vietnamese diacritics, case, punctuation and spacing.

The stored name always keeps what was written; these keys only serve lookups.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "name_key"]

# NFKD splits most letters into base + combining marks; these letters have no decomposition.
_SPECIAL = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)
_NON_WORD = re.compile(r"[\W_]+")
# Combining marks of the Latin, Greek and Cyrillic scripts (Vietnamese tones and hooks among
# them); one regex pass is several times faster than testing each character in Python.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case *text* without diacritics, keeping punctuation and spacing.

    Examples
    --------
    >>> fold("Đại học Bách khoa Hà Nội")
    'dai hoc bach khoa ha noi'
    """
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    # NFC again so that scripts NFKD splits without marks (Hangul syllables) come back whole.
    return unicodedata.normalize("NFC", _MARKS.sub("", decomposed)).casefold()


def name_key(text: str) -> str:
    """A matching key: :func:`fold`, then every run of non-alphanumerics becomes one space.

    Examples
    --------
    >>> name_key("  ĐẠI HỌC   Bách-khoa, Hà Nội ")
    'dai hoc bach khoa ha noi'
    >>> name_key("dai hoc bach khoa ha noi") == name_key("Đại học Bách khoa Hà Nội")
    True
    """
    return _NON_WORD.sub(" ", fold(text)).strip()
