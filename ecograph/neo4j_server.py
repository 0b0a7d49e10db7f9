"""Provision a local Neo4j Community server from Maven Central jars: install, start, stop, status.

No Docker and no tarball: Maven resolves ``org.neo4j:neo4j`` (5.26 LTS, the last line that
runs on Java 17) into a cache folder, and the server runs as one JVM started on
``org.neo4j.server.CommunityEntryPoint`` (the main class Neo4j's own launcher starts the server
process with; ``tools/neo4j/pom.xml`` resolves the jars). One PID, a clean stop on SIGTERM.

Two folders are involved:

* the **home** (``$ECOGRAPH_NEO4J_HOME``, default ``.neo4j/`` in the checkout) holds the
  jars in ``lib/`` and is shared by every server started from this checkout;
* an **instance** folder holds one server's ``conf/``, ``data/``, ``logs/``, ``run/`` and
  its password file. It defaults to the home itself; the test suite passes a fresh
  temporary folder so that each test session starts from an empty database.

Command line (also ``scripts/neo4j.sh``)::

    python -m ecograph.neo4j_server install [--gds]
    python -m ecograph.neo4j_server start [--port 7687] [--no-auth] [--heap 2g] [--pagecache 1g] [--gds]
    python -m ecograph.neo4j_server status [--json]
    python -m ecograph.neo4j_server password      # prints the password, for $(...) only
    python -m ecograph.neo4j_server stop
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecograph import settings
from ecograph.errors import EcographError

__all__ = [
    "DEFAULT_HEAP",
    "DEFAULT_PAGECACHE",
    "GDS_VERSION",
    "NEO4J_VERSION",
    "Neo4jServerError",
    "ServerInfo",
    "admin",
    "default_home",
    "find_java",
    "free_port",
    "gds_installed",
    "install",
    "is_installed",
    "main",
    "password",
    "provisioned",
    "restart",
    "start",
    "start_admin",
    "status",
    "stop",
]

log = logging.getLogger(__name__)

#: The Neo4j release installed from Maven Central. 5.26 is the LTS line and the last one
#: that runs on Java 17 (2025.01 and later need Java 21).
NEO4J_VERSION = "5.26.30"
#: The open edition of Neo4j's Graph Data Science library (OpenGDS), assembled from its
#: ``org.neo4j.gds`` modules on Maven Central: 2.13 is the line built for Neo4j 5.26.
GDS_VERSION = "2.13.9"
#: Heap for the server JVM. A load is one transaction (see ``ecograph.store.neo4j``) and
#: this server lets one transaction use 60 % of the heap (TRANSACTION_MEMORY_SHARE; all of
#: them together 70 %, Neo4j's default). Measured: a load of 100k organisations + 500k ties
#: peaks at 2.3 GiB of transaction memory; 4g (2.4 GiB for it) fails cleanly with nothing
#: written (measured), 6g (3.6 GiB) holds it; 512m already fails at 500k bare
#: ties. 6g, because at 4g the ~3 GiB that such a load keeps live filled the heap and G1's
#: pauses took 20 s of the load (13 s at 6g; the server's peak RSS stayed ~4.1 GiB, as the
#: heap is only touched as it is used). Tests, which load little, pass ``heap="2g"``.
DEFAULT_HEAP = "6g"
#: Page cache: the graphs ecograph holds (≤ 1M records) fit in well under 1 GiB.
DEFAULT_PAGECACHE = "1g"
#: The server's transaction timeout for transactions that set none (db.transaction.timeout).
TRANSACTION_TIMEOUT = "15m"
#: The most of the heap one transaction may hold (db.memory.transaction.max): the largest
#: benchmark load (500,000 ties, 2.3 GiB) fits the default 6 GiB heap's 3.6 GiB, and a
#: runaway query leaves the other transactions 10 % of the heap.
TRANSACTION_MEMORY_SHARE = 0.6
USER = "neo4j"

_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
_MARKER = ".ecograph-neo4j-version"
_PID_FILE = "run/ecograph.pid"
_PASSWORD_FILE = "password"
_ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
# neo4j-admin's main class (the distribution's launcher, Neo4jAdminCommand, forks it).
_ADMIN_TOOL = "org.neo4j.cli.AdminTool"
# Jars whose absence means the resolution is incomplete and the server cannot start.
_REQUIRED_JARS = ("neo4j-server-", "neo4j-bolt-", "neo4j-record-storage-engine-", "log4j-core-")
_APT_PACKAGES = {"java": "openjdk-17-jre-headless", "mvn": "maven"}
# OpenGDS: its procedures, and the extension that registers them with the server.
_REQUIRED_GDS_JARS = ("org.neo4j.gds.proc-", "org.neo4j.gds.opengds-extension-", "org.neo4j.gds.algo-")
# What the generated conf says when the plugin is loaded: GDS's procedures reach into the
# kernel, and Neo4j runs such procedures only when the conf names them.
_GDS_CONF = "dbms.security.procedures.unrestricted=gds.*"
# Flags of the packaged 5.26 conf's server.jvm.additional: the bootloader applies them, but
# Option A starts CommunityEntryPoint directly, so they go on the command line.
_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)
# What Maven resolves outside a checkout (no tools/neo4j/): the same as the poms there.
_FALLBACK_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.ecograph.tools</groupId>
  <artifactId>{prop}-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <properties><{prop}.version>{version}</{prop}.version></properties>
  <dependencies>
{dependencies}
  </dependencies>
</project>
"""
_NEO4J_ARTIFACTS = (("org.neo4j", "neo4j"),)
_GDS_ARTIFACTS = (("org.neo4j.gds", "proc"), ("org.neo4j.gds", "opengds-extension"))

# Servers this Python process started: kept so that stop() can reap them (a dead child
# that is not waited for stays a zombie and still answers kill(pid, 0)).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}
# Instances whose server this process started with die_with_parent: restart() keeps that.
_DIE_WITH_PARENT: set[Path] = set()


class Neo4jServerError(EcographError):
    """The local Neo4j server could not be installed, started or stopped; says what to do."""

    exit_code = 3


@dataclass(frozen=True)
class ServerInfo:
    """A running server: where to reach it and how to log in.

    ``password`` is ``None`` when auth is off. It is left out of ``repr`` so that the
    object can be printed or logged.
    """

    url: str
    pid: int
    port: int
    password: str | None = field(repr=False)
    user: str = USER
    instance: Path = Path()
    log: Path = Path()
    seconds: float = 0.0
    reused: bool = False

    @property
    def auth(self) -> tuple[str, str] | None:
        """The driver's ``auth`` argument: ``(user, password)``, or ``None`` without auth."""
        return None if self.password is None else (self.user, self.password)


# -- folders ------------------------------------------------------------------------------


def _repo_root() -> Path | None:
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def default_home() -> Path:
    """``$ECOGRAPH_NEO4J_HOME``, else ``.neo4j/`` in the checkout, else ``~/.cache/ecograph/neo4j``."""
    env = os.environ.get("ECOGRAPH_NEO4J_HOME", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    root = _repo_root()
    if root is not None:
        return root / ".neo4j"
    return Path.home() / ".cache" / "ecograph" / "neo4j"


def _home(home: str | os.PathLike[str] | None) -> Path:
    return Path(home).expanduser().resolve() if home is not None else default_home()


def _instance(home: Path, instance: str | os.PathLike[str] | None) -> Path:
    return Path(instance).expanduser().resolve() if instance is not None else home


# -- install ------------------------------------------------------------------------------


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str | None:
    """A ``java`` of version 17 or 21 (the two that Neo4j 5.26 supports), or ``None``.

    Looks at ``$JAVA_HOME``, then ``java`` on ``PATH``, then Debian's ``/usr/lib/jvm``.
    """
    candidates: list[str] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates += sorted(glob.glob("/usr/lib/jvm/java-17-*/bin/java"))
    candidates += sorted(glob.glob("/usr/lib/jvm/java-21-*/bin/java"))
    for java in dict.fromkeys(candidates):
        if os.access(java, os.X_OK) and _java_major(java) in (17, 21):
            return java
    return None


def _apt_install(packages: Sequence[str]) -> None:
    if os.geteuid() != 0:
        raise Neo4jServerError(
            f"the Neo4j server needs {' and '.join(packages)}; install them "
            f"(apt-get install -y {' '.join(packages)}) or run this as root"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        log.info("running %s", " ".join(cmd))
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
            raise Neo4jServerError(f"{' '.join(cmd)} failed ({done.returncode}):\n{tail}")


def _ensure_tools(need_maven: bool) -> str:
    """Install Java 17 (and Maven when *need_maven*) from Debian if missing; return ``java``."""
    missing = []
    if find_java() is None:
        missing.append(_APT_PACKAGES["java"])
    if need_maven and shutil.which("mvn") is None:
        missing.append(_APT_PACKAGES["mvn"])
    if missing:
        _apt_install(missing)
    java = find_java()
    if java is None:
        raise Neo4jServerError(
            "no Java 17 or 21 found after installing openjdk-17-jre-headless; set JAVA_HOME"
        )
    return java


def is_installed(home: str | os.PathLike[str] | None = None) -> bool:
    """True when ``home/lib`` holds the jars of :data:`NEO4J_VERSION`."""
    return _marked(_home(home) / "lib", NEO4J_VERSION)


def gds_installed(home: str | os.PathLike[str] | None = None) -> bool:
    """True when ``home/gds`` holds the OpenGDS jars of :data:`GDS_VERSION`."""
    return _marked(_home(home) / "gds", GDS_VERSION)


def _marked(folder: Path, version: str) -> bool:
    try:
        return (folder / _MARKER).read_text().split()[0] == version
    except (OSError, IndexError):
        return False


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on *path*, so two installs or starts never interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def install(
    home: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    gds: bool = False,
    archives: bool = True,
) -> Path:
    """Resolve Neo4j's runtime jars into ``home/lib``; a no-op when they are already there.

    With *gds*, also the OpenGDS plugin's jars into ``home/gds`` (see :data:`GDS_VERSION`).
    With *archives*, also the class data sharing archives of the server's and the
    importer's JVMs into ``home/cds`` when missing (see :func:`_sharing`; a minute once).
    Installs ``openjdk-17-jre-headless`` and ``maven`` from Debian first if ``java`` (17 or
    21) or ``mvn`` is missing (needs root). Returns the ``lib`` folder.

    Raises
    ------
    Neo4jServerError
        Java or Maven cannot be installed, or Maven fails to resolve the jars.
    """
    home = _home(home)
    lib = _resolve(home, "lib", "Neo4j", NEO4J_VERSION, "neo4j", _NEO4J_ARTIFACTS, _REQUIRED_JARS, force)
    if gds:
        _resolve(home, "gds", "OpenGDS", GDS_VERSION, "gds", _GDS_ARTIFACTS, _REQUIRED_GDS_JARS, force, lib)
    if archives:
        for tool in _ARCHIVED:
            archive = _archive(home, tool)
            # Made once; one that could not be made is not tried again on every start.
            if force:
                archive.with_suffix(".failed").unlink(missing_ok=True)
            if not archive.is_file() and not archive.with_suffix(".failed").is_file():
                _make_archive(home, tool)
    return lib


# -- class data sharing ---------------------------------------------------------------------

#: The JVMs that get a class data sharing archive (JDK AppCDS): the server and the importer.
_ARCHIVED = ("server", "importer")


def _archive(home: Path, tool: str) -> Path:
    """The class data sharing archive of *tool*'s JVM (``server`` or ``importer``)."""
    return home / "cds" / f"{tool}-{NEO4J_VERSION}.jsa"


def _sharing(home: Path, tool: str, archive_to: Path | None) -> list[str]:
    """The JVM flags that write (*archive_to*) or map :func:`_archive` of *tool*.

    A JVM that maps its classes ready-made from the archive, instead of reading and
    verifying them from the jars, starts on a third less CPU (a server up and answering:
    7 s of CPU instead of 11 s). A JVM whose class path or JDK differs from the archive's
    (a plugin jar in the instance's ``plugins`` folder, another JDK) warns once in its log
    and loads from the jars as before.
    """
    if archive_to is not None:
        return [f"-XX:ArchiveClassesAtExit={archive_to}"]
    archive = _archive(home, tool)
    return [f"-XX:SharedArchiveFile={archive}"] if archive.is_file() else []


def _make_archive(home: Path, tool: str) -> None:
    """Write :func:`_archive` of *tool*: run it once on a throwaway instance (a server that
    answers a few queries, or an import of two nodes) with the JVM archiving the classes it
    loaded as it exits. Part of :func:`install`. A failure never fails the install: it is
    logged and noted beside the archive (``.failed``, with the reason, so that a start does
    not try again; ``install(force=True)`` does), and the JVMs start without one."""
    from neo4j.exceptions import DriverError, Neo4jError

    archive = _archive(home, tool)
    partial = archive.with_name(f"{archive.name}.{os.getpid()}.partial")
    began = time.monotonic()
    try:
        archive.parent.mkdir(parents=True, exist_ok=True)
        with _locked(home / ".install.lock"), tempfile.TemporaryDirectory(prefix="cds-", dir=home) as tmp:
            if archive.is_file():  # another process made it meanwhile
                return
            make = _archive_server if tool == "server" else _archive_importer
            make(home, Path(tmp), partial)
            if not (partial.is_file() and partial.stat().st_size):
                raise Neo4jServerError("the JVM wrote none")
            partial.rename(archive)
        log.info("class data sharing archive of the %s made in %.1f s", tool, time.monotonic() - began)
    except (Neo4jServerError, OSError, DriverError, Neo4jError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning("no class data sharing archive for Neo4j's %s (%s); it starts slower", tool, why)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
            archive.with_suffix(".failed").write_text(why + "\n")


def _archive_server(home: Path, scratch: Path, partial: Path) -> None:
    from neo4j import GraphDatabase

    info = start(home, free_port(), auth=False, instance=scratch, die_with_parent=True, archive_to=partial)
    try:
        # What a first load and its reads run: a schema, a write, a read, a wait.
        with GraphDatabase.driver(info.url) as driver, driver.session() as session:
            for query in (
                "CREATE CONSTRAINT c IF NOT EXISTS FOR (n:N) REQUIRE n.id IS UNIQUE",
                "UNWIND range(1, 1000) AS i CREATE (:N {id: i})-[:R {w: 1.0}]->(:M {id: i})",
                "MATCH (n:N)-[r:R]->(m) RETURN count(*)",
                "CALL db.awaitIndexes(60)",
            ):
                session.run(query).consume()
    finally:
        stop(home, instance=scratch, grace=180.0)  # the JVM writes the archive as it exits


def _archive_importer(home: Path, scratch: Path, partial: Path) -> None:
    (scratch / "conf").mkdir()
    (scratch / "conf" / "neo4j.conf").write_text(f"server.directories.data={scratch / 'data'}\n")
    (scratch / "n.csv").write_text(":ID,:LABEL,id,tags:string[],year:long\n0,N,a,x;y,2020\n1,N,b,,\n")
    (scratch / "r.csv").write_text(":START_ID,:END_ID,:TYPE,w:double\n0,1,R,1.5\n")
    args = [
        "database",
        "import",
        "full",
        f"--nodes={scratch / 'n.csv'}",
        f"--relationships={scratch / 'r.csv'}",
    ]
    status = admin(
        [*args, "--id-type=actual", "--", "neo4j"],
        instance=scratch,
        conf=scratch / "conf",
        log=scratch / "import.log",
        home=home,
        jit="quick",
        archive_to=partial,
    )
    if status != 0:
        raise Neo4jServerError(f"the importer failed ({status}): {_tail(scratch / 'import.log', 3)}")


def _resolve(
    home: Path,
    folder: str,
    what: str,
    version: str,
    prop: str,
    artifacts: Sequence[tuple[str, str]],
    required: Sequence[str],
    force: bool,
    beside: Path | None = None,
) -> Path:
    """Copy the runtime jars of ``tools/neo4j/[gds/]pom.xml`` (outside a checkout, of a pom
    that depends on *artifacts*) at *version* (the pom's property ``<prop>.version``) from Maven Central into
    ``home/<folder>``, unless they are there. Jars of libraries that the folder *beside*
    already holds (in any version) are left out: the server's own versions are the ones
    it runs with (OpenGDS 2.13.9 would bring older Jackson and SLF4J, first on the class path)."""
    out = home / folder
    if _marked(out, version) and not force:
        return out
    with _locked(home / ".install.lock"):
        if _marked(out, version) and not force:  # another process finished it meanwhile
            return out
        _ensure_tools(need_maven=True)
        root = _repo_root()
        pom = root / "tools" / "neo4j" / ("gds" if prop == "gds" else "") / "pom.xml" if root else None
        if pom is None or not pom.is_file():
            pom = home / f"{folder}.pom.xml"
            dependencies = "\n".join(
                f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
                f"<version>${{{prop}.version}}</version></dependency>"
                for group, artifact in artifacts
            )
            pom.write_text(_FALLBACK_POM.format(prop=prop, version=version, dependencies=dependencies))
        partial = home / f"{folder}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        cmd = [
            "mvn", "-B", "-ntp", "-q", "-f", str(pom), f"-D{prop}.version={version}",
            f"{_DEPENDENCY_PLUGIN}:copy-dependencies", "-DincludeScope=runtime",
            "-Dmdep.prependGroupId=true", f"-DoutputDirectory={partial}",
        ]  # fmt: skip
        log.info("resolving %s %s from Maven Central into %s", what, version, out)
        began = time.monotonic()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise Neo4jServerError(f"Maven could not resolve {what} {version}:\n{tail}")
        if beside is not None:
            present = {_artifact(p.name) for p in beside.glob("*.jar")}
            for jar in partial.glob("*.jar"):
                if _artifact(jar.name) in present:
                    jar.unlink()
        jars = sorted(p.name for p in partial.glob("*.jar"))
        absent = [j for j in required if not any(j in name for name in jars)]
        if absent:
            raise Neo4jServerError(f"Maven resolved {what} {version} without {', '.join(absent)}; see {pom}")
        (partial / _MARKER).write_text(f"{version} {len(jars)} jars\n")
        shutil.rmtree(out, ignore_errors=True)
        partial.rename(out)
        log.info("installed %d jars in %.1f s", len(jars), time.monotonic() - began)
    return out


def _artifact(jar: str) -> str:
    """A copied jar's ``groupId.artifactId``: its file name up to the version."""
    found = re.match(r"(.+?)-\d", jar)
    return found.group(1) if found else jar


# -- processes and ports --------------------------------------------------------------------


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None and child.poll() is not None:
        _CHILDREN.pop(pid, None)
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _is_our_server(pid: int, instance: Path) -> bool:
    """True when *pid* is a Neo4j JVM started on *instance* (not a recycled pid)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return _ENTRY_POINT.encode() in args and f"--home-dir={instance}".encode() in args


def _read_pid(instance: Path) -> int | None:
    try:
        return int((instance / _PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _listener(port: int) -> int | None:
    """The pid of the process that listens on TCP *port*, if this user may see it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) > 9 and int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":
                    inodes.add(f"socket:[{cols[9]}]")
    if inodes:
        for fd_dir in glob.glob("/proc/[0-9]*/fd"):
            with contextlib.suppress(OSError):
                for fd in os.listdir(fd_dir):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"{fd_dir}/{fd}") in inodes:
                            return int(fd_dir.split("/")[2])
    return None


def _port_holder(port: int) -> str:
    """Which process listens on *port*, as ``'pid N (command)'``, or ``'another process'``."""
    pid = _listener(port)
    if pid is not None:
        with contextlib.suppress(OSError):
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
            return f"pid {pid} ({os.path.basename(cmd.decode(errors='replace'))})"
    return "another process"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.rstrip().splitlines()[-lines:])


# -- configuration --------------------------------------------------------------------------


_SIZE = re.compile(r"\d+[kmgKMG]?")


def _conf_text(port: int, auth: bool, heap: str, pagecache: str, gds: Path | None = None) -> str:
    """A minimal neo4j.conf that passes strict validation (no unknown or repeated keys);
    with *gds* (the OpenGDS jars' folder), one whose plugins are those jars and that lets
    their procedures run."""
    address = f"127.0.0.1:{port}"
    return "\n".join(
        [
            "# Written by ecograph.neo4j_server on every start; edits are overwritten.",
            "# Relative folders resolve against --home-dir, the instance folder.",
            "server.directories.data=data",
            "server.directories.logs=logs",
            "server.directories.run=run",
            "server.directories.import=import",
            # Neo4j registers the procedures of the jars in this folder (not of the class path).
            f"server.directories.plugins={gds or 'plugins'}",
            "server.default_listen_address=127.0.0.1",
            "server.bolt.enabled=true",
            f"server.bolt.listen_address={address}",
            f"server.bolt.advertised_address={address}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            f"dbms.security.auth_enabled={'true' if auth else 'false'}",
            "dbms.usage_report.enabled=false",
            # Informational on this launch path (the JVM gets -Xms/-Xmx on its command line),
            # but Neo4j sizes its transaction memory pool from them.
            f"server.memory.heap.initial_size={heap}",
            f"server.memory.heap.max_size={heap}",
            f"server.memory.pagecache.size={pagecache}",
            # Bolt's Netty event loops otherwise wait a 5 s "quiet period" each (two of
            # them) on shutdown: a stop took 10.5 s, of which 10 s was this wait.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
            # Limits for whoever reaches the server (see README, Security). A transaction
            # that sets no timeout of its own stops after TRANSACTION_TIMEOUT (a load sets
            # none: it may take as long as it needs, see Neo4jStore.write)...
            f"db.transaction.timeout={TRANSACTION_TIMEOUT}",
            # ...and none may take more than this share of the heap, so one runaway query
            # leaves room for the others (Neo4j caps them all together at 70 %).
            f"db.memory.transaction.max={_share(heap, TRANSACTION_MEMORY_SHARE)}",
            # LOAD CSV reads neither this machine's files nor any URL: ecograph loads files
            # itself, and a query must not make the server fetch what its author names.
            "dbms.security.allow_csv_import_from_file_urls=false",
            "internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0",
            *([_GDS_CONF] if gds else []),
            "",
        ]
    )


def _share(size: str, share: float) -> str:
    """*share* of a memory size such as ``6g``, in megabytes: ``_share("2g", 0.5) == "1024m"``."""
    units = {"": 1 / 2**20, "k": 1 / 2**10, "m": 1, "g": 2**10}
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()  # type: ignore[union-attr]
    return f"{max(1, int(int(number) * units[unit] * share))}m"


def _conf_value(instance: Path, key: str) -> str | None:
    with contextlib.suppress(OSError):
        for line in (instance / "conf" / "neo4j.conf").read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip() == key:
                return value.strip()
    return None


def _conf_port(instance: Path) -> int | None:
    value = _conf_value(instance, "server.bolt.listen_address")
    try:
        return int(value.rsplit(":", 1)[1]) if value else None
    except (IndexError, ValueError):
        return None


def _conf_gds(instance: Path) -> bool:
    """Whether the instance's last start loaded the OpenGDS plugin."""
    key, _, value = _GDS_CONF.partition("=")
    return _conf_value(instance, key) == value


def _conf_auth(instance: Path) -> bool:
    return _conf_value(instance, "dbms.security.auth_enabled") != "false"


def _password_for(instance: Path, create: bool) -> str | None:
    """The instance's password, created (random, in a 0600 file) when *create* and missing."""
    path = instance / _PASSWORD_FILE
    if path.is_file():
        return path.read_text().strip()
    if not create:
        return None
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


# -- start / stop / status --------------------------------------------------------------------


def _wait_ready(
    proc: subprocess.Popen[bytes],
    url: str,
    password: str | None,
    timeout: float,
    console: Path,
    fresh: bool,
    port: int,
) -> None:
    """Wait until Bolt answers queries; set the password on first start with auth on.

    With auth on and a *fresh* data folder the server knows only ``neo4j``/``neo4j``
    (password change required): log in with it once and set the generated password, sent
    as a query parameter (never on a command line, where ``ps`` would show it).
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

    deadline = time.monotonic() + timeout
    auth = None if password is None else (USER, password)
    default = password is not None and fresh
    while True:
        if proc.poll() is not None:
            _CHILDREN.pop(proc.pid, None)
            raise Neo4jServerError(
                f"Neo4j exited with status {proc.returncode} while starting; "
                f"last lines of {console}:\n{_tail(console)}"
            )
        if not _listening(port):
            _deadline_check(deadline, timeout, url, console, "port closed")
            # A connect to a closed local port costs microseconds; a bulk load waits on this.
            time.sleep(0.05)
            continue
        # Plain auto-commit sessions, not execute_query: its retries back off for up to
        # 30 s, which would hide the moment the server becomes ready.
        try:
            if default:
                with (
                    GraphDatabase.driver(url, auth=(USER, "neo4j"), connection_timeout=2) as d,
                    d.session(database="system") as session,
                ):
                    session.run(
                        "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                        old="neo4j",
                        new=password,
                    ).consume()
                default = False
            with (
                GraphDatabase.driver(url, auth=auth, connection_timeout=2) as driver,
                driver.session(database="neo4j") as session,
            ):
                session.run("RETURN 1").consume()
            return
        except AuthError:
            if default:
                default = False  # the default was already changed: try the password file
                continue
            raise Neo4jServerError(
                f"Neo4j at {url} rejects the login "
                f"({'no auth' if password is None else 'the password file of its folder'}); "
                "stop it and delete its data/ folder to start over"
            ) from None
        except (ServiceUnavailable, SessionExpired, Neo4jError, OSError) as exc:
            log.debug("not ready yet: %s", exc.__class__.__name__)
            _deadline_check(deadline, timeout, url, console, type(exc).__name__)
            time.sleep(0.2)


def _deadline_check(deadline: float, timeout: float, url: str, console: Path, why: str) -> None:
    if time.monotonic() > deadline:
        raise Neo4jServerError(
            f"Neo4j did not answer at {url} within {timeout:.0f} s ({why}); "
            f"last lines of {console}:\n{_tail(console)}"
        )


def _running_info(home: Path, instance: Path, pid: int) -> ServerInfo:
    port = _conf_port(instance) or 0
    pw = _password_for(instance, create=False) if _conf_auth(instance) else None
    return ServerInfo(
        url=f"bolt://127.0.0.1:{port}",
        pid=pid,
        port=port,
        password=pw,
        instance=instance,
        log=instance / "logs" / "console.log",
        reused=True,
    )


def start(
    home: str | os.PathLike[str] | None = None,
    port: int | None = None,
    auth: bool = True,
    heap: str = DEFAULT_HEAP,
    pagecache: str = DEFAULT_PAGECACHE,
    *,
    instance: str | os.PathLike[str] | None = None,
    timeout: float = 180.0,
    die_with_parent: bool = False,
    gds: bool = False,
    archive_to: str | os.PathLike[str] | None = None,
) -> ServerInfo:
    """Start a Neo4j server on 127.0.0.1 and wait until it answers; install first if needed.

    Parameters
    ----------
    home
        The install cache (jars in ``home/lib``); default :func:`default_home`.
    port
        The Bolt port; default: a free one. A port that is taken is an error naming the
        process that holds it.
    auth
        With auth (the default for people) the user ``neo4j`` gets a random password,
        kept in ``<instance>/password`` (mode 0600) and reused on later starts. Without
        auth (the throwaway test server) anyone on this machine can connect.
    heap, pagecache
        JVM heap and page cache sizes such as ``2g`` or ``512m``.
    instance
        The server's own folder (conf, data, logs, run, password); default *home*.
    timeout
        Seconds to wait for Bolt to answer.
    die_with_parent
        Have the kernel send the server SIGTERM when the calling thread's process dies
        (Linux ``PR_SET_PDEATHSIG``): a test session killed with SIGKILL leaves no server.
    gds
        Load the OpenGDS plugin (installed into ``home/gds`` first if needed), for
        ``ECOGRAPH_ENGINE=gds``. Off by default: it makes a start slower (see the README).
    archive_to
        Have the JVM write the class data sharing archive of the classes it loaded to this
        file when it stops (how :func:`install` makes it).

    Returns
    -------
    ServerInfo
        With ``reused=True`` when the instance's server was already running.

    Raises
    ------
    Neo4jServerError
        Installation failed, the port is taken, or the server died or did not answer;
        the message carries the tail of its log.
    """
    home = _home(home)
    inst = _instance(home, instance)
    for size in (heap, pagecache):
        if not _SIZE.fullmatch(size):
            raise Neo4jServerError(f"memory size {size!r} is not like 512m or 2g")
    if port is not None and not 0 < port < 65536:
        raise Neo4jServerError(f"port {port} is not between 1 and 65535")
    lib = install(home, gds=gds, archives=archive_to is None)
    java = _ensure_tools(need_maven=False)
    inst.mkdir(parents=True, exist_ok=True)
    with _locked(inst / "run" / ".start.lock"):
        pid = _read_pid(inst)
        if pid is not None:
            if _alive(pid) and _is_our_server(pid, inst):
                known = _conf_port(inst)
                if port is not None and known != port:
                    raise Neo4jServerError(
                        f"Neo4j of {inst} already runs on port {known} (pid {pid}); stop it first"
                    )
                log.info("Neo4j of %s already running (pid %d)", inst, pid)
                return _running_info(home, inst, pid)
            log.info("removing stale pid file (pid %d is not running)", pid)
            (inst / _PID_FILE).unlink(missing_ok=True)
        # Neo4j's own pid file; a stale one is harmless on this path but misleading.
        (inst / "run" / "neo4j.pid").unlink(missing_ok=True)
        if port is None:
            # The port this instance used last, else Neo4j's usual one, else any free one.
            port = next((p for p in (_conf_port(inst), 7687) if p and _port_free(p)), None) or free_port()
        elif not _port_free(port):
            raise Neo4jServerError(
                f"port {port} is taken by {_port_holder(port)}; choose another with --port "
                "or stop that process"
            )
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (inst / sub).mkdir(parents=True, exist_ok=True)
        plugins = home / "gds" if gds else None
        (inst / "conf" / "neo4j.conf").write_text(_conf_text(port, auth, heap, pagecache, plugins))
        pw = _password_for(inst, create=True) if auth else None
        # A new data folder starts with neo4j/neo4j, which must be changed first.
        fresh = not (inst / "data" / "databases" / "system").exists()
        # Initial heap = maximum: a load grows the heap to its maximum anyway, and growing it
        # step by step cost extra collections on the way (memory is committed as it is touched).
        cmd = [
            java, f"-Xms{heap}", f"-Xmx{heap}", *_JVM_FLAGS,
            # Not with the GDS plugin: its jars come first on the class path, unlike the archive's.
            *(_sharing(home, "server", None if archive_to is None else Path(archive_to)) if not plugins else []),
            "-cp", ":".join([f"{inst / 'plugins'}/*", f"{inst / 'conf'}/*",
                             *([f"{plugins}/*"] if plugins else []), f"{lib}/*"]),
            _ENTRY_POINT, f"--home-dir={inst}", f"--config-dir={inst / 'conf'}", "--console-mode",
        ]  # fmt: skip
        env = _child_env(inst, inst / "conf")
        console = inst / "logs" / "console.log"
        began = time.monotonic()
        with open(console, "ab") as out:
            out.write(f"\n== ecograph: starting Neo4j {NEO4J_VERSION} on port {port} ==\n".encode())
            out.flush()
            # A session of its own: Ctrl-C in the starting terminal does not reach the server.
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=inst,
                start_new_session=True,
                preexec_fn=_die_with_parent if die_with_parent else None,
            )
        _CHILDREN[proc.pid] = proc
        if die_with_parent:
            _DIE_WITH_PARENT.add(inst)
        (inst / _PID_FILE).write_text(f"{proc.pid}\n")
        url = f"bolt://127.0.0.1:{port}"
        try:
            _wait_ready(proc, url, pw, timeout, console, fresh, port)
        except BaseException:
            if proc.poll() is None:
                _terminate(proc.pid, grace=30.0)
            (inst / _PID_FILE).unlink(missing_ok=True)
            raise
        seconds = time.monotonic() - began
        log.info("Neo4j %s answering at %s after %.1f s (pid %d)", NEO4J_VERSION, url, seconds, proc.pid)
        return ServerInfo(
            url=url,
            pid=proc.pid,
            port=port,
            password=pw,
            instance=inst,
            log=console,
            seconds=seconds,
        )


def _die_with_parent() -> None:
    """In the forked child before exec: ask for SIGTERM when the parent dies (Linux only)."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_gone(pid: int, seconds: float) -> bool:
    child = _CHILDREN.get(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child is not None:
            try:
                child.wait(timeout=0.2)
                _CHILDREN.pop(pid, None)
                return True
            except subprocess.TimeoutExpired:
                continue
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


def _terminate(pid: int, grace: float) -> str:
    """SIGTERM, wait *grace* seconds, then SIGKILL. Returns ``'terminated'`` or ``'killed'``."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if _wait_gone(pid, grace):
        return "terminated"
    log.warning("Neo4j (pid %d) ignored SIGTERM for %.0f s; killing it", pid, grace)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _wait_gone(pid, 10.0)
    return "killed"


def _child_env(instance: Path, conf: Path) -> dict[str, str]:
    """The environment of a Neo4j JVM: this one's, less what would change Neo4j's own JVM
    flags and less ecograph's secrets (a password has no business in a server's /proc)."""
    secret = {s.env for s in settings.SETTINGS.values() if s.secret}
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_OPTS", "HEAP_SIZE") and k not in secret}
    env.update(NEO4J_HOME=str(instance), NEO4J_CONF=str(conf))
    return env


def provisioned(port: int) -> Path | None:
    """The instance folder of the server that :func:`start` started and that listens on
    127.0.0.1:*port* now, or ``None`` for any other process (or none).

    The listening process must be a Neo4j JVM started on an instance folder whose pid file
    names that process and whose conf names that port.
    """
    pid = _listener(port)
    if pid is None:
        return None
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return None
    homes = [a.removeprefix("--home-dir=") for a in args if a.startswith("--home-dir=")]
    if _ENTRY_POINT not in args or len(homes) != 1:
        return None
    inst = Path(homes[0])
    if _read_pid(inst) != pid or _conf_port(inst) != port or not _is_our_server(pid, inst):
        return None
    return inst


def _running_home(pid: int) -> Path | None:
    """The install cache (``home``) a running server took its jars from."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        for part in args[args.index("-cp") + 1].split(":"):
            if part.endswith("/lib/*"):
                return Path(part).parent.parent
    return None


def restart(
    instance: str | os.PathLike[str],
    *,
    while_stopped: Callable[[], None] | None = None,
    timeout: float = 180.0,
) -> ServerInfo:
    """Stop the instance's server, run *while_stopped*, and start it again as it ran (the
    same jars, port, auth, heap and page cache).

    The server is started again whether *while_stopped* succeeds or raises; its exception
    is raised after the start.
    """
    inst = Path(instance).expanduser().resolve()
    pid = _read_pid(inst)
    home = (_running_home(pid) if pid is not None else None) or default_home()
    port, auth = _conf_port(inst), _conf_auth(inst)
    heap = _conf_value(inst, "server.memory.heap.max_size") or DEFAULT_HEAP
    pagecache = _conf_value(inst, "server.memory.pagecache.size") or DEFAULT_PAGECACHE
    gds = _conf_gds(inst)
    stop(home, instance=inst)
    try:
        if while_stopped is not None:
            while_stopped()
    finally:
        info = start(
            home,
            port=port,
            auth=auth,
            heap=heap,
            pagecache=pagecache,
            instance=inst,
            timeout=timeout,
            die_with_parent=inst in _DIE_WITH_PARENT,
            gds=gds,
        )
    return info


def admin(args: Sequence[str], **how: Any) -> int:
    """Run ``neo4j-admin`` *args* (such as ``database import full ...``) to its end; return
    its exit status. Takes :func:`start_admin`'s keywords. An interrupted call kills it."""
    process = start_admin(args, **how)
    try:
        return process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise


def start_admin(
    args: Sequence[str],
    *,
    instance: str | os.PathLike[str],
    conf: str | os.PathLike[str],
    log: str | os.PathLike[str],
    heap: str = "1g",
    home: str | os.PathLike[str] | None = None,
    jit: str = "full",
    archive_to: str | os.PathLike[str] | None = None,
    die_with_parent: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``neo4j-admin`` *args* and return without waiting for it. Its output goes to *log*.

    The JVM starts ``org.neo4j.cli.AdminTool``, the class that the ``neo4j-admin`` script of
    a Neo4j distribution forks, on the jars of :func:`install`, with the folder *conf* as
    its configuration (``neo4j.conf``) and *instance* as ``NEO4J_HOME`` and working folder.
    ``jit="quick"`` compiles with C1 only: a run of seconds (an import) never earns back
    C2's compile time (measured: an import of 500k ties took 12 s instead of 16 s). Its
    classes come from the importer's class data sharing archive (see :func:`_sharing`), or
    with *archive_to* go into one. With *die_with_parent*, the kernel stops it when the
    calling thread's process dies.

    Its arguments can wait too: an argument ``@FILE`` is replaced by the words of FILE,
    which the tool reads after the JVM has started and loaded its commands (about a
    second); FILE a named pipe, the JVM starts while its caller still decides what to ask.
    """
    inst = Path(instance).expanduser().resolve()
    lib = install(home, archives=archive_to is None)
    java = _ensure_tools(need_maven=False)
    quick = ["-XX:TieredStopAtLevel=1"] if jit == "quick" else []
    sharing = _sharing(_home(home), "importer", None if archive_to is None else Path(archive_to))
    cmd = [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *_JVM_FLAGS,
        *quick,
        *sharing,
        "-cp",
        f"{lib}/*",
        _ADMIN_TOOL,
        *args,
    ]
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_child_env(inst, Path(conf)),
            cwd=inst,
            preexec_fn=_die_with_parent if die_with_parent else None,
        )


def stop(
    home: str | os.PathLike[str] | None = None,
    *,
    instance: str | os.PathLike[str] | None = None,
    grace: float = 30.0,
) -> bool:
    """Stop the instance's server: SIGTERM, then SIGKILL after *grace* seconds.

    Returns True when a server was stopped, False when none was running (a stale pid
    file is removed). A killed server recovers its store on the next start.
    """
    home = _home(home)
    inst = _instance(home, instance)
    pid = _read_pid(inst)
    if pid is None:
        return False
    if not (_alive(pid) and _is_our_server(pid, inst)):
        (inst / _PID_FILE).unlink(missing_ok=True)
        return False
    began = time.monotonic()
    how = _terminate(pid, grace)
    (inst / _PID_FILE).unlink(missing_ok=True)
    log.info("Neo4j (pid %d) %s after %.1f s", pid, how, time.monotonic() - began)
    return True


def status(
    home: str | os.PathLike[str] | None = None,
    *,
    instance: str | os.PathLike[str] | None = None,
) -> dict[str, object]:
    """What is installed and running, without starting anything. Never includes the password."""
    home = _home(home)
    inst = _instance(home, instance)
    pid = _read_pid(inst)
    running = pid is not None and _alive(pid) and _is_our_server(pid, inst)
    port = _conf_port(inst)
    auth = _conf_auth(inst)
    return {
        "version": NEO4J_VERSION,
        "installed": is_installed(home),
        "home": str(home),
        "instance": str(inst),
        "running": running,
        "pid": pid if running else None,
        "stale_pid_file": pid is not None and not running,
        "port": port,
        "url": f"bolt://127.0.0.1:{port}" if port else None,
        "listening": bool(running and port and _listening(port)),
        "auth": auth,
        "gds": _conf_gds(inst),
        "gds_installed": gds_installed(home),
        "user": USER if auth else None,
        "password_file": str(inst / _PASSWORD_FILE) if (inst / _PASSWORD_FILE).is_file() else None,
        "log": str(inst / "logs" / "console.log"),
    }


def password(
    home: str | os.PathLike[str] | None = None,
    *,
    instance: str | os.PathLike[str] | None = None,
) -> str:
    """The instance's password (for ``ECOGRAPH_NEO4J_PASSWORD``); raises if there is none."""
    home = _home(home)
    pw = _password_for(_instance(home, instance), create=False)
    if pw is None:
        raise Neo4jServerError(
            f"no password file in {_instance(home, instance)}; start the server with auth first"
        )
    return pw


# -- command line -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ecograph.neo4j_server install|start|stop|status|password``."""
    parser = argparse.ArgumentParser(
        prog="python -m ecograph.neo4j_server",
        description=f"Install and run a local Neo4j {NEO4J_VERSION} Community server for ecograph.",
    )
    parser.add_argument("--home", help="install cache; default $ECOGRAPH_NEO4J_HOME or .neo4j/")
    parser.add_argument("--instance", help="server folder (conf, data, logs); default: the home")
    sub = parser.add_subparsers(dest="command", required=True)
    p_install = sub.add_parser("install", help="resolve the jars (and Java 17 / Maven if missing)")
    p_install.add_argument(
        "--gds", action="store_true", help=f"also the Graph Data Science plugin (OpenGDS {GDS_VERSION})"
    )
    p_start = sub.add_parser("start", help="start the server and wait until it answers")
    p_start.add_argument("--port", type=int, help="Bolt port; default: a free one")
    p_start.add_argument("--no-auth", action="store_true", help="no password (throwaway servers)")
    p_start.add_argument("--heap", default=DEFAULT_HEAP, help=f"JVM heap (default {DEFAULT_HEAP})")
    p_start.add_argument("--pagecache", default=DEFAULT_PAGECACHE, help="page cache size")
    p_start.add_argument("--timeout", type=float, default=180.0, help="seconds to wait")
    p_start.add_argument(
        "--gds", action="store_true", help="load the Graph Data Science plugin (for --engine gds)"
    )
    sub.add_parser("stop", help="stop the server (SIGTERM, SIGKILL after 30 s)")
    p_status = sub.add_parser("status", help="show what is installed and running")
    p_status.add_argument("--json", action="store_true", help="print JSON")
    sub.add_parser("password", help="print the password (use as $(... password))")
    args = parser.parse_args(argv)
    # Progress lines of this module only; the driver's own logging stays quiet.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("neo4j: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        return _run_command(args)
    finally:
        log.removeHandler(handler)


def _run_command(args: argparse.Namespace) -> int:
    kw = {"instance": args.instance}
    try:
        if args.command == "install":
            lib = install(args.home, gds=args.gds)
            print(f"Neo4j {NEO4J_VERSION} installed in {lib}")
            if args.gds:
                print(f"OpenGDS {GDS_VERSION} installed in {lib.parent / 'gds'}")
        elif args.command == "start":
            info = start(
                args.home,
                port=args.port,
                auth=not args.no_auth,
                heap=args.heap,
                pagecache=args.pagecache,
                timeout=args.timeout,
                gds=args.gds,
                **kw,
            )
            what = "already running" if info.reused else f"started in {info.seconds:.1f} s"
            print(f"Neo4j {NEO4J_VERSION} at {info.url} (pid {info.pid}, {what}); log {info.log}")
            if info.password is not None:
                print(
                    f"user {info.user}, password in {info.instance / _PASSWORD_FILE}:\n"
                    f"  export ECOGRAPH_STORE={info.url} ECOGRAPH_NEO4J_USER={info.user}\n"
                    f'  export ECOGRAPH_NEO4J_PASSWORD="$(scripts/neo4j.sh password)"'
                )
        elif args.command == "stop":
            print("stopped" if stop(args.home, **kw) else "not running")
        elif args.command == "status":
            state = status(args.home, **kw)
            if args.json:
                print(json.dumps(state, indent=2))
            else:
                for key, value in state.items():
                    print(f"{key}: {value}")
            return 0 if state["running"] else 1
        elif args.command == "password":
            print(password(args.home, **kw))
    except EcographError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
