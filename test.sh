#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite (SQLite, a real Neo4j server,
# the explorer in AppTest and headless Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --test
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$status"
