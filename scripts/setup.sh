#!/usr/bin/env bash
# Set up everything the product needs on a fresh Debian/Ubuntu machine: system packages (Japanese fonts,
# and for tests Chromium + poppler), a Python venv with the product installed, and bpmn-js from npm.
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

apt_packages=(fonts-ipaexfont-mincho fonts-ipaexfont-gothic)
if (( want_test )); then
  apt_packages+=(chromium poppler-utils)
fi
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# inkan backup / restore on PostgreSQL use the server's own tools (the distribution's client matches its server)
if (( want_test )) && ! { command -v pg_dump && command -v pg_restore && command -v psql; } >/dev/null 2>&1; then
  missing+=(postgresql-client)
fi
if (( ${#missing[@]} )); then
  echo "==> system packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
extras=""
(( want_test )) && extras="[test]"
stamp=".venv/.installed${extras}"
if [[ ! -f "$stamp" || pyproject.toml -nt "$stamp" ]]; then
  echo "==> installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
  touch "$stamp"
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> installing bpmn-js from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "==> set-up complete"
