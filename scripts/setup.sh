#!/usr/bin/env bash
# Prepares this checkout on a fresh machine: the virtual environment and, with --test,
# everything the test suite needs (Debian's Chromium, Java 17 + Maven, Neo4j's jars).
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=.venv/.ecograph-installed
extras=""
[ $want_test = 1 ] && extras="[dev]"
if [ ! -f "$stamp$extras" ] || [ pyproject.toml -nt "$stamp$extras" ]; then
  echo "setup: installing ecograph$extras into .venv" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$extras"
  touch "$stamp$extras"
fi

[ $want_test = 1 ] || exit 0

apt_updated=0
apt_install() {
  if [ $apt_updated = 0 ]; then
    echo "setup: apt-get update" >&2
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  echo "setup: apt-get install $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download cannot reach its host here).
[ -x /usr/bin/chromium ] || apt_install chromium
# The Neo4j test server: Java 17 and Maven resolve and run Neo4j Community from Maven Central.
command -v java >/dev/null || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null || apt_install maven
if [ -f ecograph/neo4j_server.py ]; then
  # With the Graph Data Science plugin: the test server loads it (ECOGRAPH_ENGINE=gds tests).
  .venv/bin/python -m ecograph.neo4j_server install --gds
fi
