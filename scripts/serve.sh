#!/usr/bin/env bash
# Sets everything up, then runs the main job: `veilleur serve` (extra arguments are
# passed on, e.g. --config examples/canope).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/veilleur serve "$@"
