"""Name normalisation for search and matching: folds Vietnamese diacritics, case, punctuation and spacing.

The stored name always keeps what was written; these keys only serve lookups.
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

from ecograph.textbytes import value_bytes

__all__ = ["fold", "name_key", "name_keys"]

# NFKD splits most letters into base + combining marks; these letters have no decomposition.
_SPECIAL_PAIRS = {
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
_SPECIAL = str.maketrans(_SPECIAL_PAIRS)
_NON_WORD = re.compile(r"[\W_]+")
# Combining marks of the Latin, Greek and Cyrillic scripts (Vietnamese tones and hooks among
# them); one regex pass is several times faster than testing each character in Python.
_MARK_RANGES = ((0x300, 0x36F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
_MARKS = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _MARK_RANGES) + "]")
_MARKS_RE2 = "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in _MARK_RANGES) + "]"


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


def name_keys(names: pa.Array) -> pa.Array:
    """:func:`name_key` of every name in an Arrow array (null stays null).

    Folding runs column-wise; a name whose folded form is not plain ASCII (a script
    without Latin letters, say) is folded by :func:`name_key` itself, so the keys are
    always exactly :func:`name_key`'s.
    """
    folded, data = names, value_bytes(names)
    if not data.isascii():
        for char, plain in _SPECIAL_PAIRS.items():
            if char.encode() in data:
                folded = pc.replace_substring(folded, char, plain)
        folded = pc.replace_substring_regex(pc.utf8_normalize(folded, "NFKD"), _MARKS_RE2, "")
    folded = pc.utf8_lower(folded)
    keys = pc.utf8_trim(pc.replace_substring_regex(folded, "[^a-z0-9]+", " "), " ")
    odd = pc.fill_null(pc.invert(pc.string_is_ascii(folded)), False)  # a script without Latin letters
    if not pc.any(odd).as_py():
        return keys
    fixed = [name_key(name) for name in names.filter(odd).to_pylist()]
    return pc.replace_with_mask(keys, odd, pa.array(fixed, pa.string()))
