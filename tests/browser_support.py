"""Start the explorer on a free port and drive Debian's Chromium through Playwright.

Used by ``tests/test_browser.py`` and ``benchmarks/explorer.py``. Playwright's own browser
download cannot reach its host here (nor, often, a planner's network): always Debian's
``/usr/bin/chromium``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
CHROMIUM = os.environ.get("ECOGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


#: Organisations added to every demo store the explorer tests use: a name with diacritics and
#: an alias (the search must find it typed without them) and a name that is HTML markup.
XSS_NAME = "<img src=x onerror=alert(1)>"
EXTRA_ORGS = """id,name,kind,country,province,sectors,aliases
test-hust,Đại học Bách khoa Hà Nội,university,VN,Hà Nội,ai|semiconductors,HUST|Hanoi University of Science and Technology
test-xss,"<img src=x onerror=alert(1)>",startup,VN,Hà Nội,ai,
"""
EXTRA_TIES = """source,target,kind,weight,start,evidence
test-hust,test-xss,research,2,2022,https://example.org/agreement
test-hust,{anchor},mou,1,2021,"<script>alert(2)</script>"
"""


def make_demo_store(folder: Path, orgs: int, seed: int = 1, extras: bool = True) -> str:
    """A SQLite store in *folder* with the demo ecosystem and, with *extras*, :data:`EXTRA_ORGS`."""
    import ecograph

    url = f"sqlite:///{folder / f'demo-{orgs}.db'}"
    ecograph.demo(url, orgs=orgs, seed=seed)
    if extras:
        with ecograph.open_store(url) as store:
            anchor = next(o.id for o in store.organizations() if o.kind == "university")
        (folder / "extra-orgs.csv").write_text(EXTRA_ORGS, encoding="utf-8")
        (folder / "extra-ties.csv").write_text(EXTRA_TIES.format(anchor=anchor), encoding="utf-8")
        ecograph.load([folder / "extra-orgs.csv", folder / "extra-ties.csv"], url)
    return url


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: run scripts/setup.sh --test (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[dev]'"
    return None


def require_chromium() -> None:
    """Skip a browser test when Chromium cannot run here — but under ``CI=true``, fail it."""
    import pytest

    problem = chromium_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI=true: {problem}", pytrace=False)
    pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """A running ``streamlit run app.py`` serving one store."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def page_url(self, path: str = "") -> str:
        return f"{self.url}/{path.lstrip('/')}"


def _wait_healthy(app: App, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(
                f"the explorer exited ({app.process.returncode}):\n{app.log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the explorer did not answer within {timeout:.0f} s:\n{app.log.read_text()[-3000:]}")


@contextlib.contextmanager
def serve(
    store_url: str, *, log_dir: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> Iterator[App]:
    """Run the explorer (``ecograph serve``) against *store_url* on a free port until the block ends."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ECOGRAPH_")},
        "ECOGRAPH_STORE": store_url,
        **(env or {}),
    }
    # The real `ecograph serve` command, which runs `streamlit run app.py`.
    command = [
        sys.executable,
        "-c",
        "from ecograph.cli.explorer import serve; serve()",
        "--host",
        "127.0.0.1",
    ]
    with _running(command, "--port", log_dir, environment, timeout) as app:
        yield app


@contextlib.contextmanager
def serve_script(script: Path, *, log_dir: Path, timeout: float = 60) -> Iterator[App]:
    """Run ``streamlit run`` *script* on a free port from the repository's root (its
    ``.streamlit/config.toml``, the explorer's settings) until the block ends."""
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with _running(command, "--server.port", log_dir, dict(os.environ), timeout) as app:
        yield app


@contextlib.contextmanager
def _running(
    command: list[str], port_option: str, log_dir: Path, environment: dict[str, str], timeout: float
) -> Iterator[App]:
    """*command*, listening on a free port given with *port_option*, run from the repository's
    root with its output in a log in *log_dir*, until the block ends."""
    port = free_port()
    log = log_dir / f"streamlit-{port}.log"
    environment.setdefault("STREAMLIT_SERVER_FILE_WATCHER_TYPE", "none")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, port_option, str(port)],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    app = App(process, port, log)
    try:
        _wait_healthy(app, timeout)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A headless Chromium (Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def guarded_tab(chromium, viewport: dict) -> Iterator[tuple[object, list[str], list[str]]]:
    """A tab in a new context that aborts every request leaving the machine and dismisses
    every dialog: yields ``(page, dialogs, outside)``, the last two filled as they happen."""
    context = chromium.new_context(viewport=viewport)
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in (
            "127.0.0.1",
            "localhost",
        ):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        yield page, dialogs, outside
    finally:
        context.close()


def wait_for_app(page, text: str, timeout: float = 60_000) -> None:
    """Wait until the Streamlit page shows *text* in a heading and has stopped running."""
    page.get_by_role("heading", name=text).first.wait_for(timeout=timeout)
    wait_idle(page, timeout)


_SETTLED = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;      // a script runs
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')) return false;
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {  // loaded lazily
    if (!chart.querySelector('.main-svg')) return false;
  }
  for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    if (!chart.querySelector('canvas, svg.marks')) return false;
  }
  return true;
}"""


def wait_idle(page, timeout: float = 60_000, quiet: float = 800) -> None:
    """Wait until no script runs and every element has drawn (no skeleton, charts rendered),
    and it stays so for *quiet* milliseconds (Streamlit shows its running status only after
    a short delay, so one quiet moment can come before the run)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        left = max(1.0, (deadline - time.monotonic()) * 1000)
        page.wait_for_function(_SETTLED, timeout=left)
        page.wait_for_timeout(quiet)
        if page.evaluate(_SETTLED):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not settle within {timeout / 1000:.0f} s")


def wait_for_network(page, timeout: float = 60_000):
    """Wait until the network iframe's canvas has drawn once; returns the frame locator."""
    frame = page.frame_locator("iframe[title='Network map of the organisations in view'], iframe").first
    frame.locator("canvas").first.wait_for(timeout=timeout)
    frame.locator("body[data-drawn='1']").wait_for(state="attached", timeout=timeout)
    return frame
