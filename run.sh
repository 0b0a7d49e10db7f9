#!/usr/bin/env bash
# Installs ecograph, loads the demo ecosystem into the embedded store if it is empty,
# then opens the explorer. Extra arguments go to `ecograph serve` (e.g. --port 8600).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/ecograph serve --demo-if-empty "$@"
