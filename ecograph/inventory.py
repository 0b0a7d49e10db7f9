"""What a store holds, in numbers: the ``ecograph stats`` command's function."""

from __future__ import annotations

from ecograph.store import Store, open_store

__all__ = ["stats"]


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
        return out
    finally:
        if handle is not store:
            handle.close()
