"""OpenAlex: a country's institutions, and the works that tie them to other institutions, from the API.

Two list queries of the OpenAlex API (``openalex_url`` setting), paged with cursors
(``cursor=*``, then each answer's ``meta.next_cursor`` until a page comes back empty),
100 results a page:

- ``/institutions?filter=country_code:VN``: the country's institutions, whole;
- ``/works?filter=institutions.country_code:VN,institutions_distinct_count:>1`` (and
  ``from_publication_date:YYYY-01-01`` with ``since``) with
  ``select=id,publication_year,authorships``: the works with two or more institutions, one
  of them in the country — what co-authorship ties are made of.

Each answer page is kept in a page cache (``<download_dir>/openalex/pages/<query>/``) with
the cursor of the next page, so an interrupted fetch resumes where it stopped (and a
completed query is not asked again while the fetch has not loaded); the cache is deleted
once the load succeeds, so the next fetch asks for current data. A query needing more pages
than ``max_pages`` stops before fetching more than its first page and says how to narrow
it. The pages are written as JSON Lines (``institutions-VN.jsonl``, ``works-VN.jsonl``),
the format the OpenAlex loader reads (:mod:`loaders.openalex`), and loaded with the
country as its ``country`` option: the country's institutions, their co-publication ties,
and the foreign institutions at the other end.

Requests carry ``mailto`` (OpenAlex's polite pool) when given, and ``api_key`` from the
``openalex_api_key`` setting, which never appears in a message or a cached file.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import shutil
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ecograph.errors import SourceUnavailable, UsageError
from ecograph.fetch.client import Client, ProgressCallback, public_url
from ecograph.fetch.plan import Fetched, load_options

__all__ = ["DEFAULT_MAX_PAGES", "PER_PAGE", "fetch"]

PER_PAGE = 100
"""Results per page: the most the OpenAlex API sends."""
DEFAULT_MAX_PAGES = 500
"""Pages one query may take (50,000 results) unless ``max_pages`` says otherwise."""


@dataclass(frozen=True)
class _Query:
    entity: str  # "institutions" or "works"
    filter: str
    select: str | None
    label: str  # for people: "institutions in VN"
    out: str  # the JSON Lines file written from its pages

    def url(self, base: str, cursor: str, per_page: int, mailto: str | None, api_key: str | None) -> str:
        params = [("filter", self.filter)]
        if self.select:
            params.append(("select", self.select))
        params += [("per_page", str(per_page)), ("cursor", cursor)]
        if mailto:
            params.append(("mailto", mailto))
        if api_key:
            params.append(("api_key", api_key))
        return f"{base.rstrip('/')}/{self.entity}?{urllib.parse.urlencode(params)}"


def _queries(countries: list[str], since: int | None) -> list[_Query]:
    codes = "|".join(countries)
    named = ", ".join(countries)
    works = f"institutions.country_code:{codes},institutions_distinct_count:>1"
    suffix = "-".join(countries)
    if since is not None:
        works += f",from_publication_date:{since}-01-01"
        suffix += f"-since-{since}"
    return [
        _Query(
            "institutions",
            f"country_code:{codes}",
            None,
            f"institutions in {named}",
            f"institutions-{suffix}.jsonl",
        ),
        _Query(
            "works",
            works,
            "id,publication_year,authorships",
            f"works with two or more institutions, one in {named}" + (f", since {since}" if since else ""),
            f"works-{suffix}.jsonl",
        ),
    ]


def _write_json(path: Path, data: object) -> None:
    """Write *data* so that a reader never sees half a file (write aside, then rename)."""
    aside = path.with_name(path.name + ".tmp")
    aside.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    aside.replace(path)


def _pages(
    client: Client,
    url: Callable[[str], str],
    cache: Path,
    *,
    label: str,
    max_pages: int,
    progress: ProgressCallback | None,
) -> Iterator[dict]:
    """Every result of one query, page by page through the cache (see the module docstring)."""
    identity = public_url(url("*"))
    state_path = cache / "state.json"
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        state = None
    if not state or state.get("query") != identity:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        state = {"query": identity, "pages": 0, "cursor": "*", "count": None, "complete": False}
    resuming = state["cursor"] not in (None, "*")  # a fetch broke off here; a complete one asks nothing
    while state["cursor"]:
        try:
            page = client.get_json(url(state["cursor"]))
        except SourceUnavailable as exc:
            if resuming and state["cursor"] != "*" and "answered HTTP 4" in str(exc):
                shutil.rmtree(cache, ignore_errors=True)
                raise SourceUnavailable(
                    f"{exc}. OpenAlex refused the saved page cursor (cursors expire); the page cache was "
                    "cleared: run the fetch again to start over"
                ) from None
            raise
        results, meta = page.get("results"), page.get("meta") or {}
        if not isinstance(results, list):
            raise SourceUnavailable(
                f"{public_url(url(state['cursor']))} is not an OpenAlex list answer (no results)"
            )
        if state["count"] is None:
            state["count"] = int(meta.get("count") or 0)
            needed = math.ceil(state["count"] / PER_PAGE)
            if needed > max_pages:
                shutil.rmtree(cache, ignore_errors=True)
                raise UsageError(
                    f"OpenAlex has {state['count']:,} {label}: {needed:,} pages of {PER_PAGE}, more than "
                    f"--max-pages {max_pages}; narrow the fetch with --since YEAR or raise --max-pages"
                )
        if results:
            state["pages"] += 1
            _write_json(cache / f"page-{state['pages']:05d}.json", results)
        state["cursor"] = meta.get("next_cursor") if results else None
        _write_json(state_path, state)
        if progress:
            progress(f"OpenAlex {label}", state["pages"], max(1, math.ceil(state["count"] / PER_PAGE)))
    state["complete"] = True
    _write_json(state_path, state)
    for n in range(1, state["pages"] + 1):
        yield from json.loads((cache / f"page-{n:05d}.json").read_text(encoding="utf-8"))


def fetch(
    client: Client,
    folder: Path,
    *,
    base: str,
    countries: list[str],
    since: int | None,
    mailto: str | None,
    api_key: str | None,
    max_pages: int,
    dry_run: bool,
    progress: ProgressCallback | None = None,
) -> Fetched:
    """Fetch the institutions of *countries* and their works with other institutions."""
    queries = _queries(countries, since)
    home = folder / "openalex"
    fetched = Fetched(
        lines=[],
        files=[home / q.out for q in queries],
        options=load_options(f"API, fetched {_dt.date.today().isoformat()}", base, ",".join(countries)),
    )
    for q in queries:
        if dry_run:
            meta = client.get_json(q.url(base, "*", 1, mailto, api_key)).get("meta") or {}
            count = int(meta.get("count") or 0)
            pages = math.ceil(count / PER_PAGE)
            line = (
                f"would fetch {count:,} {q.label} ({pages:,} page{'s' if pages != 1 else ''} of {PER_PAGE})"
            )
            if pages > max_pages:
                line += f": more than --max-pages {max_pages}, narrow with --since or raise --max-pages"
            fetched.lines.append(line)
            continue
        cache = home / "pages" / q.out.removesuffix(".jsonl")
        url = lambda cursor, q=q: q.url(base, cursor, PER_PAGE, mailto, api_key)  # noqa: E731
        out = home / q.out
        home.mkdir(parents=True, exist_ok=True)
        aside = out.with_name(out.name + ".tmp")
        count = 0
        with open(aside, "w", encoding="utf-8") as fh:
            for result in _pages(client, url, cache, label=q.label, max_pages=max_pages, progress=progress):
                fh.write(json.dumps(result, ensure_ascii=False) + "\n")
                count += 1
        aside.replace(out)
        fetched.lines.append(f"fetched {count:,} {q.label}")
    if dry_run:
        fetched.lines.append(f"would load them with the country filter {', '.join(countries)}")
    else:
        fetched.cleanup.append(home / "pages")
    return fetched
