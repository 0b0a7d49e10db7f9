#!/usr/bin/env bash
# Installs and runs the local Neo4j server for ecograph (jars from Maven Central, one JVM).
#   scripts/neo4j.sh install | start [--port P] [--no-auth] [--heap 2g] | status [--json] | stop
#   export ECOGRAPH_NEO4J_PASSWORD="$(scripts/neo4j.sh password)"
# The cache folder is $ECOGRAPH_NEO4J_HOME, default .neo4j/ in this checkout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$root/.venv/bin/python" ]; then
  echo "neo4j.sh: no .venv yet; run scripts/setup.sh first" >&2
  exit 2
fi
exec "$root/.venv/bin/python" -m ecograph.neo4j_server "$@"
