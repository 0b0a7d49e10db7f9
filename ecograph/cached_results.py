"""The analysis cache's file format: a result as JSON data, checked when read back.

A cache file is read from disk, so nothing in it may run: no pickle. A result is written
as JSON — text, numbers (``NaN`` included), booleans, None, lists and objects as JSON has
them — and the few other types results hold as one-key objects whose key starts with NUL,
which no key of ecograph's own starts with: ``{"\\u0000t": [...]}`` a tuple,
``{"\\u0000d": [[key, value], ...]}`` a dict whose keys are not all text (or one of whose
keys starts with NUL), ``{"\\u0000c": {...}}`` a :class:`~ecograph.analysis.CentralityResult`.
A result read back is equal to the one written, type for type. Reading accepts nothing else:
a file that is not this (damaged, written by another program, planted) raises
:class:`BadCacheFile`.

Examples
--------
>>> value = {"rows": [("hust", 0.5)], 1: None}
>>> loads(dumps(value, {"name": "x"}), {"name": "x"}) == value
True
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ecograph.analysis import CentralityResult

__all__ = ["FORMAT", "BadCacheFile", "Uncacheable", "dumps", "loads"]

#: The layout's version; a file of another version is not read.
FORMAT = 2
_TUPLE, _PAIRS, _CENTRALITY = "\x00t", "\x00d", "\x00c"


class BadCacheFile(ValueError):
    """A cache file that is not an ecograph result for this question; the message says why."""


class Uncacheable(TypeError):
    """A result holding a type this format does not write (it is then not cached)."""


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, float):  # numpy's float64 too
        return float(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("\x00") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {_PAIRS: [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, CentralityResult):
        fields = {"measure": value.measure, "values": _encode(value.values), "method": value.method}
        return {_CENTRALITY: {**fields, "backend": value.backend, "k": value.k}}
    raise Uncacheable(f"cannot cache a {type(value).__name__}")


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        raise BadCacheFile("a dict key that cannot be a key") from None
    return value


def _centrality(fields: Any) -> CentralityResult:
    if not isinstance(fields, dict) or set(fields) != {"measure", "values", "method", "backend", "k"}:
        raise BadCacheFile("a centrality result with the wrong fields")
    texts = (fields["measure"], fields["method"], fields["backend"])
    values, k = fields["values"], fields["k"]
    if not all(isinstance(t, str) for t in texts) or not isinstance(values, dict):
        raise BadCacheFile("a centrality result with fields of the wrong type")
    if not (k is None or (isinstance(k, int) and not isinstance(k, bool))):
        raise BadCacheFile("a centrality result with a sample size that is not a whole number")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()):
        raise BadCacheFile("a centrality result with values that are not numbers")
    array = np.fromiter(values.values(), dtype=float, count=len(values))
    return CentralityResult(fields["measure"], list(values), array, fields["method"], fields["backend"], k)


def _object(pairs: list[tuple[str, Any]]) -> Any:
    """A JSON object as the value it stands for (``json``'s ``object_pairs_hook``)."""
    if not any(key.startswith("\x00") for key, _ in pairs):
        return dict(pairs)
    if len(pairs) != 1:
        raise BadCacheFile("a tagged value with other keys beside its tag")
    ((tag, body),) = pairs
    if tag == _TUPLE and isinstance(body, list):
        return tuple(body)
    if tag == _PAIRS and isinstance(body, list):
        if not all(isinstance(p, list) and len(p) == 2 for p in body):
            raise BadCacheFile("a dict whose entries are not key and value")
        return {_hashable(k): v for k, v in body}
    if tag == _CENTRALITY:
        return _centrality(body)
    raise BadCacheFile(f"an unknown tag {tag[1:20]!r}")


def _as_json(question: dict[str, Any]) -> Any:
    """*question* as it reads back from JSON (tuples become lists), to compare it."""
    return json.loads(json.dumps(question, default=str))


def dumps(value: Any, question: dict[str, Any]) -> bytes:
    """*value* as a cache file answering *question* (what was asked: name, parameters, state).

    Raises
    ------
    Uncacheable
        *value* holds a type the format does not write.
    """
    envelope = {"ecograph_cache": FORMAT, "question": _as_json(question), "value": _encode(value)}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes, question: dict[str, Any]) -> Any:
    """The result in cache file *data*, which must answer *question*.

    Raises
    ------
    BadCacheFile
        *data* is not JSON, not this format, answers another question, or holds anything
        but the types :func:`dumps` writes.
    """
    try:
        envelope = json.loads(data.decode("utf-8"), object_pairs_hook=_object)
    except (UnicodeDecodeError, RecursionError):
        raise BadCacheFile("not a JSON file") from None
    except BadCacheFile:
        raise
    except ValueError:
        raise BadCacheFile("not a JSON file") from None
    if not isinstance(envelope, dict) or set(envelope) != {"ecograph_cache", "question", "value"}:
        raise BadCacheFile("not an ecograph cache file")
    if envelope["ecograph_cache"] != FORMAT:
        raise BadCacheFile(f"format {envelope['ecograph_cache']!r}, this version reads {FORMAT}")
    if envelope["question"] != _as_json(question):
        raise BadCacheFile("the answer to another question")
    return envelope["value"]
