"""A real HTTP server on 127.0.0.1 that answers as ROR's Zenodo record, the OpenAlex API and
data.europa.eu's CORDIS listing do, from the recorded answers in ``tests/data/fetch/``.

Routes map a path to an answer; an answer is a file (served with ``ETag``, ``Range`` and
``If-Range`` as a real file server does), a JSON object or a redirect. Faults are queued per
path and used up one request at a time: an HTTP status with headers (429 with
``Retry-After``, 503), or a body cut off after some bytes with the connection closed (a
truncated download). Every request is recorded with its query and headers.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FETCH_DATA = Path(__file__).parent / "data" / "fetch"


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    status: int | None = None  # answer with this status instead…
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None  # …or send only this many bytes of the body, then close


class SourceServer:
    def __init__(self) -> None:
        self.routes: dict[str, Callable[[Request], tuple[int, dict[str, str], bytes]]] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[Request] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SourceServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- what it serves ------------------------------------------------------------------

    def file(self, path: str, body: bytes) -> str:
        """Serve *body* at *path* as a file, with Range support; returns its ETag."""
        etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'

        def answer(req: Request) -> tuple[int, dict[str, str], bytes]:
            headers = {"ETag": etag, "Accept-Ranges": "bytes", "Content-Type": "application/zip"}
            wanted = req.headers.get("range", "")
            if_range = req.headers.get("if-range")
            if wanted.startswith("bytes=") and (if_range is None or if_range == etag):
                start = int(wanted[6:].split("-", 1)[0])
                if start >= len(body):
                    return 416, {"Content-Range": f"bytes */{len(body)}"}, b""
                headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
                return 206, headers, body[start:]
            return 200, headers, body

        self.routes[path] = answer
        return etag

    def json(self, path: str, data: object, when: Callable[[Request], bool] | None = None) -> None:
        """Serve *data* as JSON at *path* (for requests *when* accepts, if given; the first
        route added for a path and query that accepts the request answers)."""
        body = json.dumps(data, ensure_ascii=False).encode()
        previous = self.routes.get(path)

        def answer(req: Request) -> tuple[int, dict[str, str], bytes]:
            if when is None or when(req):
                return 200, {"Content-Type": "application/json"}, body
            if previous is not None:
                return previous(req)
            return (
                404,
                {"Content-Type": "application/json"},
                b'{"error": "Not Found", "message": "no such page"}',
            )

        self.routes[path] = answer

    def text(self, path: str, body: str, content_type: str = "application/rss+xml; charset=UTF-8") -> None:
        self.routes[path] = lambda req: (200, {"Content-Type": content_type}, body.encode())

    def redirect(self, path: str, to: Callable[[], str]) -> None:
        self.routes[path] = lambda req: (302, {"Location": to()}, b"")

    def fault(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def asked(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    # -- the handler ---------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet: the tests read server.requests
                pass

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                req = Request(
                    parts.path,
                    dict(urllib.parse.parse_qsl(parts.query)),
                    {k.lower(): v for k, v in self.headers.items()},
                )
                server.requests.append(req)
                queued = server.faults.get(parts.path)
                fault = queued.pop(0) if queued else None
                route = server.routes.get(parts.path)
                if fault is not None and fault.status is not None:
                    body = b'{"error": "injected"}'
                    self._send(fault.status, {"Content-Type": "application/json", **fault.headers}, body)
                    return
                if route is None:
                    self._send(404, {"Content-Type": "text/plain"}, b"not found")
                    return
                status, headers, body = route(req)
                if fault is not None and fault.cut_after is not None:
                    self.send_response(status)
                    for key, value in {**headers, "Content-Length": str(len(body))}.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body[: fault.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(status, headers, body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
