#!/usr/bin/env bash
# Set up everything netcache needs on a fresh machine (idempotent):
#   - Debian's redis-server, if it is missing (needs root or sudo);
#   - a virtualenv in .venv with netcache and its test extras installed.
# Sourced by scripts/run.sh and scripts/test.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing Debian's redis-server (tests and the demo start private ones)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.netcache-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing netcache and its dependencies into .venv (first run takes a minute)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v '^WARNING' || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING' || true
  .venv/bin/python -c 'import netcache, netcache.events, netcache.worker, netcache.tasks' || { echo "setup: install failed" >&2; exit 1; }
  touch "$stamp"
fi
