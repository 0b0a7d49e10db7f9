"""The HTTP client of ``ecograph fetch``: JSON and text requests, and resumable downloads.

Every request is retried when the source is busy or failing — HTTP 429 and 5xx, a dropped
connection, a timeout — after the delay the answer's ``Retry-After`` asks for, else after
1, 2, 4 … seconds (at most a minute), up to :data:`ATTEMPTS` tries; other HTTP errors end at
once. A download streams into ``NAME.part`` beside its destination and resumes from the
bytes it already has with an HTTP ``Range`` request, guarded by ``If-Range`` with the
validator (ETag or Last-Modified) of the first answer: if the file changed on the server in
the meantime, the server sends it whole and the download starts over. A download that ends
short of its length is resumed the same way; one whose MD5 differs from the source's
record is deleted and reported. Only :mod:`urllib` from the standard library is used.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ecograph.errors import SourceUnavailable

__all__ = ["ATTEMPTS", "Client", "Download", "ProgressCallback", "public_url"]

ATTEMPTS = 6
"""Tries per request before giving up."""
_FIRST_DELAY = 1.0  # seconds before the second try; doubled each time
_MAX_DELAY = 60.0
_CHUNK = 1 << 20
_SECRET_PARAMS = ("api_key",)

#: Called as ``progress(label, done, total)`` while bytes or pages arrive; total may be None.
ProgressCallback = Callable[[str, int, "int | None"], None]


def public_url(url: str) -> str:
    """*url* without the query parameters that carry a secret (an API key), for messages.

    Examples
    --------
    >>> public_url("https://api.openalex.org/works?filter=x&api_key=s3cret&mailto=a%40b.org")
    'https://api.openalex.org/works?filter=x&mailto=a%40b.org'
    """
    parts = urllib.parse.urlsplit(url)
    query = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if k not in _SECRET_PARAMS
    ]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class _Retry(Exception):
    """A failure worth another try, after *delay* seconds if the source said so."""

    def __init__(self, reason: str, delay: float | None = None):
        super().__init__(reason)
        self.delay = delay


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _RangeRefused(_Retry):
    """The server will not send the rest from where the partial file ends: start over."""


@dataclass
class Download:
    """A file a download produced: where, how many bytes, and how it came."""

    path: Path
    bytes: int
    reused: bool = False  # already there, complete: nothing downloaded
    resumed: bool = False  # continued from a partial file (an HTTP 206 answer)


class Client:
    """Requests with retries and back-off; see the module docstring.

    Parameters
    ----------
    user_agent : str
        Sent with every request (sources ask for one that names the tool and a contact).
    progress : callable, optional
        ``progress(label, done, total)`` while a download runs.
    sleep : callable, optional
        How to wait between tries (:func:`time.sleep`).
    """

    def __init__(
        self,
        user_agent: str,
        *,
        progress: ProgressCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
    ):
        self.user_agent = user_agent
        self.progress = progress
        self.sleep = sleep
        self.timeout = timeout
        self.requests = 0  # how many were sent, retries included

    # -- one request, retried -----------------------------------------------------------

    def _open(self, url: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        """The response to a GET of *url*; raises :class:`_Retry` for what deserves another try."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            # a link in a source's answer must not make ecograph read a local file (file://)
            raise SourceUnavailable(
                f"{public_url(url)} is not an http(s) address; check the setting or the source"
            )
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, **headers})
        self.requests += 1
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 416 and "Range" in headers:
                raise _RangeRefused(
                    f"HTTP 416: the server refused to resume at byte {headers['Range'][6:-1]}"
                ) from None
            if exc.code == 429 or exc.code >= 500:
                raise _Retry(
                    f"HTTP {exc.code} {exc.reason}", _retry_after(exc.headers.get("Retry-After"))
                ) from None
            raise SourceUnavailable(
                f"{public_url(url)} answered HTTP {exc.code} {exc.reason}; check the address (a setting) "
                "and the options"
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise _Retry(f"{type(reason).__name__}: {reason}") from None

    def _tries(self, url: str, attempt: Callable[[], object]) -> object:
        """Run *attempt* until it returns, retrying :class:`_Retry` with back-off."""
        started = time.monotonic()
        delay = _FIRST_DELAY
        for n in range(1, ATTEMPTS + 1):
            try:
                return attempt()
            except _Retry as retry:
                if n == ATTEMPTS:
                    raise SourceUnavailable(
                        f"cannot fetch {public_url(url)}: {retry} after {ATTEMPTS} tries over "
                        f"{time.monotonic() - started:.0f} s; try again later"
                    ) from None
                wait = min(_MAX_DELAY, retry.delay if retry.delay is not None else delay)
                self.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable")

    def get_bytes(self, url: str) -> tuple[bytes, dict[str, str]]:
        """The body of *url* (after redirects) and its headers."""

        def attempt() -> tuple[bytes, dict[str, str]]:
            with self._open(url, {}) as response:
                try:
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    raise _Retry(f"the answer broke off: {exc}") from None
                length = response.headers.get("Content-Length")
                if length is not None and len(body) < int(length):
                    raise _Retry(f"the answer broke off after {len(body)} of {length} bytes")
                return body, {k.lower(): v for k, v in response.headers.items()}

        return self._tries(url, attempt)  # type: ignore[return-value]

    def get_json(self, url: str) -> dict:
        """The JSON object at *url*."""
        body, _ = self.get_bytes(url)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceUnavailable(f"{public_url(url)} did not answer with JSON ({exc})") from None
        if not isinstance(data, dict):
            raise SourceUnavailable(f"{public_url(url)} answered JSON that is not an object")
        return data

    # -- downloads ----------------------------------------------------------------------

    def download(
        self,
        url: str,
        dest: Path,
        *,
        size: int | None = None,
        md5: str | None = None,
        label: str | None = None,
    ) -> Download:
        """Download *url* to *dest*, resuming a partial download; see the module docstring.

        With *size* or *md5* (from the source's record), a complete *dest* already there is
        reused, and the download is checked against them.
        """
        label = label or dest.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_file() and (size is not None or md5 is not None) and _matches(dest, size, md5):
            return Download(dest, dest.stat().st_size, reused=True)
        part = dest.with_name(dest.name + ".part")
        meta = dest.with_name(dest.name + ".part.json")
        validator = _saved_validator(part, meta, url)
        resumed = False

        def attempt() -> None:
            nonlocal validator, resumed
            have = part.stat().st_size if part.exists() else 0
            headers = {}
            if have:
                headers["Range"] = f"bytes={have}-"
                if validator:
                    headers["If-Range"] = validator
            try:
                response = self._open(url, headers)
            except _RangeRefused:
                part.unlink(missing_ok=True)
                raise
            with response:
                start = have if response.status == 206 else 0  # 200: the whole file, changed or not
                if start and not response.headers.get("Content-Range", "").startswith(f"bytes {have}-"):
                    part.unlink(missing_ok=True)
                    raise _Retry("the server resumed at another byte than asked; starting over")
                resumed = resumed or bool(start)
                total = _total(response, start)
                validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
                meta.write_text(
                    json.dumps({"url": public_url(url), "validator": validator}), encoding="utf-8"
                )
                done = start
                with open(part, "ab" if start else "wb") as fh:
                    while True:
                        try:
                            chunk = response.read(_CHUNK)
                        except (OSError, http.client.HTTPException) as exc:
                            raise _Retry(f"the download broke off after {done:,} bytes: {exc}") from None
                        if not chunk:
                            break
                        fh.write(chunk)
                        done += len(chunk)
                        if self.progress:
                            self.progress(label, done, total)
                if total is not None and done < total:
                    raise _Retry(f"the download broke off after {done:,} of {total:,} bytes")

        self._tries(url, attempt)
        if not _matches(part, size, md5):
            part.unlink()
            meta.unlink(missing_ok=True)
            raise SourceUnavailable(
                f"the file downloaded from {public_url(url)} does not match the source's record "
                f"({'MD5' if md5 else 'size'} differs); it was deleted: run the fetch again"
            )
        part.replace(dest)
        meta.unlink(missing_ok=True)
        return Download(dest, dest.stat().st_size, resumed=resumed)


def _total(response: http.client.HTTPResponse, start: int) -> int | None:
    """The whole file's length, from Content-Range (a 206) or Content-Length."""
    content_range = response.headers.get("Content-Range", "")
    if content_range and "/" in content_range:
        whole = content_range.rsplit("/", 1)[1]
        if whole.isdigit():
            return int(whole)
    length = response.headers.get("Content-Length")
    return start + int(length) if length and length.isdigit() else None


def _saved_validator(part: Path, meta: Path, url: str) -> str | None:
    """The validator a partial download of *url* was started with; a partial file of
    another URL, or without its record, is thrown away."""
    try:
        saved = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        saved = None
    if not saved or saved.get("url") != public_url(url):
        part.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        return None
    return saved.get("validator")


def _matches(path: Path, size: int | None, md5: str | None) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    if md5 is not None:
        digest = hashlib.md5(usedforsecurity=False)
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == md5.lower()
    return True
