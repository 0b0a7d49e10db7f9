"""What a store holds, in numbers: the ``ecograph stats`` command's function."""

from __future__ import annotations

from ecograph.store import Store, open_store

__all__ = ["describe_terms", "source_terms", "stats"]


def source_terms(handle: Store) -> dict[str, dict[str, str]]:
    """The licence and attribution of each public source in *handle*, as its latest load
    recorded them (``LoadBatch.terms``), by source (``ror``, ``cordis``…)."""
    out: dict[str, dict[str, str]] = {}
    for batch in handle.batches():  # in load order: a later load of a source replaces the earlier
        if batch.terms and batch.terms.get("source"):
            out[batch.terms["source"]] = batch.terms
    return out


def describe_terms(terms: dict[str, str]) -> str:
    """One line for people: source, release, licence and attribution.

    Examples
    --------
    >>> describe_terms({"name": "ROR", "release": "v2.0 (2025-12-16)", "licence": "CC0 1.0",
    ...                 "attribution": "Research Organization Registry (ROR), https://ror.org"})
    'ROR, v2.0 (2025-12-16) — CC0 1.0 — Research Organization Registry (ROR), https://ror.org'
    """
    name = terms.get("name") or terms.get("source") or "?"
    release = f", {terms['release']}" if terms.get("release") else ""
    return f"{name}{release} — {terms.get('licence', '')} — {terms.get('attribution', '')}"


def stats(store: Store | str | None = None) -> dict[str, object]:
    """Counts by category, kind, tie kind and country, the store version and the last load.

    Examples
    --------
    >>> import tempfile, os
    >>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "s.db")
    >>> s = stats(url)
    >>> s["organizations"], s["collaborations"], s["store_version"]
    (0, 0, 0)
    """
    handle = store if isinstance(store, Store) else open_store(store)
    try:
        out: dict[str, object] = dict(handle.counts())
        out["store_version"] = handle.store_version()
        out["store"] = handle.url
        out["home_country"] = handle.home_country
        batches = handle.batches()
        out["loads"] = len(batches)
        last = batches[-1] if batches else None
        out["last_load"] = (
            {"file": last.file, "finished": last.finished, "format": last.format} if last else None
        )
        out["sources"] = source_terms(handle)
        return out
    finally:
        if handle is not store:
            handle.close()
