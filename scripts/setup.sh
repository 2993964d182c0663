#!/usr/bin/env bash
# Install what Atalaya needs into ./.venv (and, with --browser, Debian's Chromium for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--browser" ]]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver fonts-dejavu-core fonts-liberation >/dev/null
  fi
  EXTRA="[test]"
else
  EXTRA=""
fi

PY="${PYTHON:-python3}"
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
# Install only when pyproject.toml changed since the last install (fast re-runs).
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${EXTRA}"
if [[ ! -f "$stamp" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${EXTRA}"
  touch "$stamp"
fi
