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


def fold(text: str) -> str:
    """Lower-case *text* without diacritics, keeping punctuation and spacing.

    Examples
    --------
    >>> fold("Đại học Bách khoa Hà Nội")
    'dai hoc bach khoa ha noi'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    # NFC again so that scripts NFKD splits without marks (Hangul syllables) come back whole.
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


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
