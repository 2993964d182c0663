#!/usr/bin/env bash
# Install (first run only) and serve the dashboard on the bundled demo: http://127.0.0.1:8050/
# Extra arguments go to `atalaya serve` (e.g. --data DIR --port 8060).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/atalaya serve "$@"
