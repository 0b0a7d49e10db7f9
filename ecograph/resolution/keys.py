"""Matching keys: what two records of one organisation have in common across sources.

The keys are looser than :func:`ecograph.names.name_key`: legal forms and the words that
only say what sort of body it is ("JSC", "Co., Ltd", "Công ty Cổ phần", "GmbH") are
dropped, so that "Công ty Cổ phần Công nghệ Sao Mai" and "Sao Mai Technology JSC" can
meet, and word order is ignored so that "Trường Đại học X" and "X University" compare
on what distinguishes them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ecograph.names import name_key

__all__ = ["acronym_like", "domain", "match_key", "name_tokens", "similarity"]

# Legal forms and generic company words, as name_key writes them (folded, single-spaced).
# Longest first, so that "cong ty co phan" goes before "cong ty".
_LEGAL_FORMS = sorted(
    {
        "cong ty co phan", "cong ty tnhh mot thanh vien", "cong ty tnhh", "cong ty trach nhiem huu han",
        "cong ty", "tap doan", "tong cong ty", "ctcp", "tnhh", "mtv",
        "joint stock company", "joint stock co", "jsc", "co ltd", "company limited", "co", "ltd",
        "limited", "llc", "inc", "incorporated", "corp", "corporation", "plc", "pte", "pty", "gmbh",
        "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "oy", "kk", "ev", "e v",
        "ike", "monoprosopi", "ae", "kabushiki kaisha", "the",
    },
    key=lambda s: -len(s),
)  # fmt: skip
_LEGAL = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in _LEGAL_FORMS) + r")\b")
# Words that say the same in Vietnamese and English (and spellings of the big cities), so
# that "Trường Đại học Bách khoa Hà Nội" and "Bach Khoa Hanoi University" share their words.
_SAME_WORDS = (
    ("truong dai hoc", "university"), ("dai hoc", "university"), ("hoc vien", "academy"),
    ("benh vien", "hospital"), ("trung tam", "center"), ("centre", "center"), ("vien", "institute"),
    ("thanh pho ho chi minh", "hochiminh"), ("tp ho chi minh", "hochiminh"), ("ho chi minh", "hochiminh"),
    ("tp hcm", "hochiminh"), ("ha noi", "hanoi"), ("da nang", "danang"), ("can tho", "cantho"),
    ("hai phong", "haiphong"), ("viet nam", "vietnam"),
)  # fmt: skip
_SAME = re.compile(r"\b(?:" + "|".join(re.escape(a) for a, _ in _SAME_WORDS) + r")\b")
_SAME_TO = dict(_SAME_WORDS)
_SPACES = re.compile(r"\s+")
# Hosts that many organisations share: a link there says nothing about identity.
GENERIC_HOSTS = frozenset(
    {
        "wikipedia.org", "wikidata.org", "facebook.com", "linkedin.com", "twitter.com", "x.com",
        "youtube.com", "github.com", "google.com", "sites.google.com", "blogspot.com",
        "wordpress.com", "instagram.com", "crunchbase.com", "gmail.com", "ec.europa.eu",
    }
)  # fmt: skip


def match_key(name: str) -> str:
    """*name* folded, legal forms dropped and its words sorted: equal keys, same name.

    Examples
    --------
    >>> match_key("Sao Mai Technology JSC") == match_key("CÔNG TY CỔ PHẦN Sao Mai Technology")
    True
    >>> match_key("Hanoi University of Science and Technology")
    'and hanoi of science technology university'
    >>> match_key("Trường Đại học Bách khoa Hà Nội") == match_key("Bach Khoa Hanoi University")
    True
    """
    folded = _SAME.sub(lambda m: _SAME_TO[m.group(0)], name_key(name))
    key = _SPACES.sub(" ", _LEGAL.sub(" ", folded)).strip()
    if not key:  # a name that is nothing but a legal form keeps its words
        key = name_key(name)
    return " ".join(sorted(key.split()))


# Words that join a name rather than tell it apart, left out of similarity.
_STOPWORDS = frozenset(
    [
        "of",
        "and",
        "for",
        "the",
        "in",
        "at",
        "de",
        "du",
        "des",
        "la",
        "le",
        "et",
        "der",
        "die",
        "und",
        "fur",
        "van",
        "voor",
        "di",
        "del",
        "y",
        "va",
        "cua",
    ]
)


def name_tokens(name: str) -> frozenset[str]:
    """The telling words of :func:`match_key`, for similarity.

    Examples
    --------
    >>> sorted(name_tokens("Vietnam Academy of Science and Technology"))
    ['academy', 'science', 'technology', 'vietnam']
    """
    return frozenset(w for w in match_key(name).split() if w not in _STOPWORDS)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """How alike two names' words are: 1.0 for the same words, 0.0 for none shared.

    The Dice coefficient over words, so "Viettel Group" and "Viettel Group Research" score
    0.8 rather than Jaccard's 0.67: one added word is a near miss, not a different name.

    Examples
    --------
    >>> similarity(name_tokens("Viettel Group"), name_tokens("Viettel Group Research"))
    0.8
    """
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def acronym_like(text: str) -> bool:
    """True for a one-word name such as ``HUST`` or ``VNU``: too short to trust alone."""
    return len(name_key(text).split()) == 1


def domain(url: str | None) -> str | None:
    """The host of a website, without ``www.``, or None when it identifies nobody.

    Examples
    --------
    >>> domain("https://www.hust.edu.vn/en/about")
    'hust.edu.vn'
    >>> domain("hust.edu.vn"), domain("https://en.wikipedia.org/wiki/X")
    ('hust.edu.vn', None)
    """
    if not url:
        return None
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = (urlsplit(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if host.startswith("www."):
        host = host[4:]
    if "." not in host:
        return None
    parts = host.split(".")
    for n in range(len(parts) - 1):
        if ".".join(parts[n:]) in GENERIC_HOSTS:
            return None
    return host
