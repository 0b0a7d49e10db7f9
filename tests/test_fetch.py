"""`ecograph fetch`: every source against a real local HTTP server answering as the real one does.

Nothing here reaches the internet: the sources' addresses are settings, pointed at a
:class:`source_server.SourceServer` on 127.0.0.1 serving the recorded answers in
``tests/data/fetch/`` — including a 429, a truncated download and a changed dump.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from source_server import FETCH_DATA, Fault, SourceServer

import ecograph
from ecograph.store.sqlite import SqliteStore

DATA = Path(__file__).parent / "data"
ZENODO = "/api/records/6347574"
LISTING = "/api/hub/search/en/feeds/datasets/cordis-eu-research-projects-under-horizon-europe-2021-2027.rss"
CORDIS_ZIP = "/data/cordis-HORIZONprojects-csv.zip"


@pytest.fixture
def server():
    with SourceServer() as running:
        yield running


@pytest.fixture
def sources(cli, server, monkeypatch, tmp_path):
    """The sources' settings pointed at the local server (set after ``cli`` clears ECOGRAPH_*)."""
    monkeypatch.setenv("ECOGRAPH_ROR_RELEASE_URL", server.base + ZENODO)
    monkeypatch.setenv("ECOGRAPH_OPENALEX_URL", server.base)
    monkeypatch.setenv("ECOGRAPH_CORDIS_LISTING_URL", server.base + LISTING)
    monkeypatch.setenv("ECOGRAPH_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    return server


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'fetched.db'}"


def ror_records(rename: dict[str, str] | None = None) -> list[dict]:
    """The ROR fixture's records, with some organisations renamed (a later release)."""
    records = json.loads((DATA / "ror" / "ror-data_schema_v2.json").read_text(encoding="utf-8"))
    for record in records:
        for name in record["names"]:
            if "ror_display" in name["types"] and record["id"] in (rename or {}):
                name["value"] = rename[record["id"]]  # type: ignore[index]
    return records


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def serve_ror(
    server: SourceServer, release: str = "v2.0", records: list[dict] | None = None
) -> tuple[bytes, str]:
    """Serve a recorded Zenodo release record and its dump (v1 and v2 files, as in 2024–2025)."""
    recorded = json.loads((FETCH_DATA / "ror" / f"release-{release}.json").read_text(encoding="utf-8"))
    entry = recorded["files"][0]
    stem = entry["key"].removesuffix(".zip")
    dump = zip_bytes(
        {
            f"{stem}.json": b"[]",  # schema v1: the ROR loader does not recognise it
            f"{stem}_schema_v2.json": json.dumps(records or ror_records(), ensure_ascii=False).encode(),
            f"{stem}_schema_v2.csv": b"id,admin.created.date,names.types.ror_display\n",
        }
    )
    entry["size"], entry["checksum"] = (
        len(dump),
        "md5:" + hashlib.md5(dump, usedforsecurity=False).hexdigest(),
    )
    recorded = json.loads(json.dumps(recorded).replace("https://zenodo.org", server.base))
    link = urlpath(recorded["files"][0]["links"]["self"])
    server.json(f"/api/records/{recorded['id']}", recorded)
    server.redirect(ZENODO, lambda: f"/api/records/{recorded['id']}")
    server.file(link, dump)
    return dump, link


def urlpath(address: str) -> str:
    return "/" + address.split("/", 3)[3]


def serve_cordis(server: SourceServer, organization: bytes | None = None) -> tuple[bytes, str]:
    listing = (FETCH_DATA / "cordis" / "listing.rss").read_text(encoding="utf-8")
    server.text(LISTING, listing.replace("https://cordis.europa.eu", server.base))
    archive = zip_bytes(
        {
            "organization.csv": organization or (DATA / "cordis" / "organization.csv").read_bytes(),
            "project.csv": (DATA / "cordis" / "project.csv").read_bytes(),
            "topics.csv": b'"projectID";"topic";"title"\n"101057291";"HORIZON-CL4-2021-DIGITAL";"AI"\n',
        }
    )
    return archive, server.file(CORDIS_ZIP, archive)


def serve_openalex(server: SourceServer, count: int | None = None) -> None:
    """The recorded cursor pages of both queries: page n answers the cursor page n-1 gave."""
    for entity in ("institutions", "works"):
        cursor = "*"
        for n in (1, 2, 3):
            page = json.loads(
                (FETCH_DATA / "openalex" / f"{entity}-page-{n}.json").read_text(encoding="utf-8")
            )
            if count is not None:
                page["meta"]["count"] = count
            server.json(f"/{entity}", page, when=lambda req, c=cursor: req.query.get("cursor") == c)
            cursor = page["meta"]["next_cursor"]
        first = json.loads((FETCH_DATA / "openalex" / f"{entity}-page-1.json").read_text(encoding="utf-8"))
        if count is not None:
            first["meta"]["count"] = count
        # a count-only request (per_page=1, as --dry-run asks) gets the first page's meta
        server.json(
            f"/{entity}",
            {**first, "results": first["results"][:1]},
            when=lambda req: req.query.get("per_page") == "1",
        )


def contents(url: str):
    with SqliteStore(url) as store:
        return {o.id: o for o in store.organizations()}, list(store.collaborations()), store.batches()


# -- ROR -----------------------------------------------------------------------------------


def test_fetch_ror_downloads_the_newest_dump_and_loads_it(cli, sources, url, tmp_path):
    dump, link = serve_ror(sources)
    result = cli("fetch", "ror", "--country", "VN", "--store", url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "ROR data dump v2.0 (2025-12-16), https://doi.org/10.5281/zenodo.17953395: "
        f"v2.0-2025-12-16-ror-data.zip, {len(dump) / 1e6:,.1f} MB"
    )
    saved = tmp_path / "downloads" / "ror" / "v2.0-2025-12-16-ror-data.zip"
    assert lines[1] == f"downloaded {saved} ({len(dump) / 1e6:,.1f} MB)"
    assert lines[-1].startswith("organisations: 10 inserted, 0 updated, 0 unchanged")
    assert saved.read_bytes() == dump and not list(saved.parent.glob("*.part*"))
    orgs, _, [batch] = contents(url)
    assert orgs["ror:04kq4sq72"].name == "Hanoi University of Science and Technology"
    assert batch.file == f"{saved}/v2.0-2025-12-16-ror-data_schema_v2.json"
    assert batch.terms["licence"] == "CC0 1.0"
    assert batch.terms["release"] == "v2.0 (2025-12-16), https://doi.org/10.5281/zenodo.17953395"
    assert batch.terms["url"] == sources.base + link
    assert [r.path for r in sources.requests] == [ZENODO, "/api/records/17953395", link]
    assert sources.requests[0].headers["user-agent"].startswith("ecograph/")
    # a second fetch of the same release downloads nothing and changes nothing
    again = cli("fetch", "ror", "--country", "VN", "--store", url)
    assert f"already downloaded {saved}" in again.stdout
    assert again.stdout.splitlines()[-1].startswith("organisations: 0 inserted, 0 updated, 10 unchanged")
    assert len(sources.asked(link)) == 1


def test_a_changed_dump_replaces_the_old_one_and_updates_what_changed(cli, sources, url, tmp_path):
    serve_ror(sources, "v2.0")
    assert cli("fetch", "ror", "--country", "VN", "--store", url).exit_code == 0
    serve_ror(sources, "v2.1", ror_records({"https://ror.org/01dkxj384": "Viettel Group (Tập đoàn Viettel)"}))
    result = cli("fetch", "ror", "--country", "VN", "--store", url)
    assert result.exit_code == 0, result.stderr
    assert "updated organization ror:01dkxj384: name\n" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("organisations: 0 inserted, 1 updated, 9 unchanged")
    folder = tmp_path / "downloads" / "ror"
    assert sorted(p.name for p in folder.iterdir()) == [
        "v2.1-2026-01-20-ror-data.zip"
    ]  # the old dump is gone
    orgs, _, batches = contents(url)
    assert orgs["ror:01dkxj384"].name == "Viettel Group (Tập đoàn Viettel)"
    assert batches[-1].terms["release"].startswith("v2.1 (2026-01-20)")


def test_a_truncated_download_resumes_with_a_range_request(cli, sources, url, tmp_path):
    dump, link = serve_ror(sources)
    sources.fault(link, Fault(cut_after=len(dump) // 2))
    result = cli("fetch", "ror", "--country", "VN", "--store", url)
    assert result.exit_code == 0, result.stderr
    first, second = sources.asked(link)
    assert "range" not in first.headers
    assert second.headers["range"] == f"bytes={len(dump) // 2}-"
    assert second.headers["if-range"].startswith('"')  # the ETag of the first answer
    assert "resumed and downloaded" in result.stdout
    saved = tmp_path / "downloads" / "ror" / "v2.0-2025-12-16-ror-data.zip"
    assert saved.read_bytes() == dump
    assert contents(url)[0]["ror:02wsd5p50"].kind == "research_institute"


def test_busy_and_failing_sources_are_retried_then_reported_in_one_line(cli, sources, url):
    serve_ror(sources)
    sources.fault(ZENODO, Fault(429, {"Retry-After": "1"}), Fault(503, {"Retry-After": "0"}))
    result = cli("fetch", "ror", "--store", url)
    assert result.exit_code == 0, result.stderr
    assert len(sources.asked(ZENODO)) == 3
    sources.fault(ZENODO, *[Fault(503, {"Retry-After": "0"})] * 6)
    failed = cli("fetch", "ror", "--store", url)
    assert failed.exit_code == 3
    assert re.fullmatch(
        rf"Error: cannot fetch {re.escape(sources.base + ZENODO)}: HTTP 503 Service Unavailable after 6 tries "
        r"over \d+ s; try again later\n",
        failed.stderr,
    )


def test_dry_run_says_what_would_be_fetched_and_fetches_nothing(cli, sources, url, tmp_path):
    _, link = serve_ror(sources)
    result = cli("fetch", "ror", "--country", "VN", "--dry-run", "--store", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "would download it and load the organisations in VN"
    assert not sources.asked(link) and not (tmp_path / "downloads" / "ror").exists()
    assert not Path(url.removeprefix("sqlite:///")).exists()


# -- OpenAlex ------------------------------------------------------------------------------


def test_fetch_openalex_pages_through_both_queries_and_loads_the_country(cli, sources, url, tmp_path):
    serve_openalex(sources)
    result = cli(
        "fetch",
        "openalex",
        "--country",
        "vn",
        "--since",
        "2020",
        "--mailto",
        "steward@example.org",
        "--store",
        url,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "fetched 4 institutions in VN",
        "fetched 6 works with two or more institutions, one in VN, since 2020",
    ]
    works = sources.asked("/works")
    assert [r.query["cursor"] for r in works] == ["*"] + [
        json.loads((FETCH_DATA / "openalex" / f"works-page-{n}.json").read_text())["meta"]["next_cursor"]
        for n in (1, 2)
    ]
    assert works[0].query["filter"] == (
        "institutions.country_code:VN,institutions_distinct_count:>1,from_publication_date:2020-01-01"
    )
    assert works[0].query["select"] == "id,publication_year,authorships"
    assert works[0].query["per_page"] == "100" and works[0].query["mailto"] == "steward@example.org"
    assert sources.asked("/institutions")[0].query["filter"] == "country_code:VN"
    assert "mailto:steward@example.org" in works[0].headers["user-agent"]
    orgs, ties, batches = contents(url)
    assert {"openalex:I4210111001", "openalex:I74801974"} <= set(
        orgs
    )  # a home institution, a foreign partner
    assert {t.kind for t in ties} == {"co_publication"} and len(ties) >= 5
    assert {b.terms["source"] for b in batches} == {"openalex"}
    assert not (tmp_path / "downloads" / "openalex" / "pages").exists()  # the page cache goes once loaded


def test_an_interrupted_openalex_fetch_resumes_from_its_page_cache(cli, sources, url, tmp_path):
    serve_openalex(sources)
    sources.fault("/works", Fault(), *[Fault(503, {"Retry-After": "0"})] * 6)  # page 1 comes, page 2 fails
    failed = cli("fetch", "openalex", "--country", "VN", "--store", url)
    assert failed.exit_code == 3 and failed.stderr.startswith("Error: cannot fetch ")
    cache = tmp_path / "downloads" / "openalex" / "pages"
    assert (cache / "works-VN" / "page-00001.json").is_file()
    before = len(sources.requests)
    result = cli("fetch", "openalex", "--country", "VN", "--store", url)
    assert result.exit_code == 0, result.stderr
    asked = sources.requests[before:]
    page2 = json.loads((FETCH_DATA / "openalex" / "works-page-1.json").read_text())["meta"]["next_cursor"]
    # institutions were complete: not asked again; works resume at page 2
    assert (asked[0].path, asked[0].query["cursor"]) == ("/works", page2)
    assert not any(r.path == "/institutions" for r in asked)
    assert "fetched 6 works" in result.stdout


def test_a_query_beyond_the_page_cap_stops_with_a_clear_message(cli, sources, url):
    serve_openalex(sources, count=183_245)
    result = cli("fetch", "openalex", "--country", "VN", "--max-pages", "100", "--store", url)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: OpenAlex has 183,245 institutions in VN: 1,833 pages of 100, more than --max-pages 100; "
        "narrow the fetch with --since YEAR or raise --max-pages\n"
    )
    assert len(sources.requests) == 1  # one page told the count
    dry = cli("fetch", "openalex", "--country", "VN", "--dry-run", "--max-pages", "100", "--store", url)
    assert dry.stdout.splitlines()[0] == (
        "would fetch 183,245 institutions in VN (1,833 pages of 100): more than --max-pages 100, "
        "narrow with --since or raise --max-pages"
    )


def test_the_api_key_is_sent_but_never_shown_or_cached(cli, sources, url, monkeypatch, tmp_path):
    monkeypatch.setenv("ECOGRAPH_OPENALEX_API_KEY", "s3cret-key")
    serve_openalex(sources)
    sources.fault("/works", Fault(403))
    failed = cli("fetch", "openalex", "--country", "VN", "--store", url)
    assert failed.exit_code == 3 and "answered HTTP 403" in failed.stderr
    assert "s3cret" not in failed.stderr + failed.stdout
    assert sources.asked("/institutions")[0].query["api_key"] == "s3cret-key"
    for path in (tmp_path / "downloads").rglob("*"):
        if path.is_file():
            assert b"s3cret" not in path.read_bytes(), path


def test_openalex_needs_a_country_and_other_sources_refuse_its_options(cli, sources, url):
    assert cli("fetch", "openalex", "--store", url).stderr == (
        "Error: fetch openalex needs --country (OpenAlex lists over 100,000 institutions)\n"
    )
    bad = cli("fetch", "ror", "--since", "2020", "--store", url)
    assert bad.exit_code == 2 and bad.stderr == "Error: --since and --mailto apply to fetch openalex only\n"
    wrong = cli("fetch", "cordis", "--country", "Vietnam", "--store", url)
    assert wrong.exit_code == 2 and "is not an ISO 3166-1 alpha-2 country code" in wrong.stderr


# -- CORDIS --------------------------------------------------------------------------------


def test_fetch_cordis_finds_the_programme_archive_in_the_listing(cli, sources, url, tmp_path):
    serve_cordis(sources)
    result = cli("fetch", "cordis", "--country", "VN", "--json", "--store", url)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["lines"][0] == "CORDIS cordis-HORIZONprojects-csv.zip, published Tue, 02 Jun 2026 07:12:44 GMT"
    assert out["downloads"][0]["file"] == str(
        tmp_path / "downloads" / "cordis" / "cordis-HORIZONprojects-csv.zip"
    )
    files = out["load"]["files"]
    assert [Path(f["file"]).name for f in files] == ["organization.csv", "project.csv"]
    assert files[0]["terms"]["licence"] == "CC BY 4.0"
    assert any("left out 1 other file (topics.csv)" in n for n in out["load"]["notes"])
    orgs, ties, _ = contents(url)
    assert "cordis:889354021" in orgs and ties and all(t.kind == "joint_project" for t in ties)


def test_a_partial_download_of_a_file_that_changed_starts_over(cli, sources, url, tmp_path):
    old, _ = serve_cordis(sources)
    sources.fault(CORDIS_ZIP, Fault(cut_after=len(old) // 3), *[Fault(503, {"Retry-After": "0"})] * 5)
    failed = cli("fetch", "cordis", "--store", url)
    assert failed.exit_code == 3
    part = tmp_path / "downloads" / "cordis" / "cordis-HORIZONprojects-csv.zip.part"
    assert part.stat().st_size == len(old) // 3
    # next month the file at the same address is another one: If-Range makes the server send it whole
    renamed = (
        (DATA / "cordis" / "organization.csv")
        .read_bytes()
        .replace(
            b"HANOI UNIVERSITY OF SCIENCE AND TECHNOLOGY",
            b"HANOI UNIVERSITY OF SCIENCE AND TECHNOLOGY (HUST)",
        )
    )
    new, new_etag = serve_cordis(sources, renamed)
    result = cli("fetch", "cordis", "--store", url)
    assert result.exit_code == 0, result.stderr
    last = sources.asked(CORDIS_ZIP)[-1]
    assert last.headers["range"] == f"bytes={len(old) // 3}-" and last.headers["if-range"] != new_etag
    saved = tmp_path / "downloads" / "cordis" / "cordis-HORIZONprojects-csv.zip"
    assert saved.read_bytes() == new and not part.exists()
    assert contents(url)[0]["cordis:889354021"].name == "HANOI UNIVERSITY OF SCIENCE AND TECHNOLOGY (HUST)"


def test_progress_is_reported_to_a_caller_and_silent_on_a_pipe(cli, sources, url):
    serve_ror(sources)
    seen: list[tuple[str, int, int | None]] = []
    ecograph_fetch = __import__("ecograph.fetch", fromlist=["fetch"]).fetch
    ecograph_fetch(
        "ror", url, country="VN", progress=lambda label, done, total: seen.append((label, done, total))
    )
    labels = {label for label, _, _ in seen}
    assert "v2.0-2025-12-16-ror-data.zip" in labels  # the download
    assert any(label.endswith("_schema_v2.json") for label in labels)  # then the load
    assert seen[-1][1] == seen[-1][2]
    quiet = cli("fetch", "ror", "--store", url)
    assert "━" not in quiet.stderr and "%" not in quiet.stderr  # no bar when stderr is not a terminal
    assert ecograph.stats(url)["sources"]["ror"]["name"] == "ROR"
