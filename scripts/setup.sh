#!/usr/bin/env bash
# Set up everything netcache needs on a fresh machine (idempotent):
#   - the Debian packages the tests use, if missing (needs root or sudo; see below);
#   - a virtualenv in .venv with netcache and its test extras installed.
# Sourced by scripts/run.sh and scripts/test.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the tests run for real: redis-server (private servers), rsyslog (a private
# rsyslogd relays device lines to `netcache syslog`), prometheus / prometheus-alertmanager
# (promtool and amtool check the shipped alert rules and Alertmanager snippet), gettext-base
# (envsubst renders the documented relay configs). Only what is missing is installed.
need=()
for pair in redis-server:redis-server rsyslogd:rsyslog promtool:prometheus amtool:prometheus-alertmanager \
            envsubst:gettext-base; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
# syslog-ng conflicts with rsyslog as an installed package (both are the system-log-daemon), so
# its binary is unpacked into .cache/syslog-ng instead (tests/test_docs_configs.py runs it from there);
# its libraries do not conflict and are installed normally.
for lib in libivykis0 libnet1 libpcre3; do
  dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  # policy-rc.d / no init in containers: the packages' services are not started
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -x .cache/syslog-ng/usr/sbin/syslog-ng ]; then
  echo "setup: unpacking Debian's syslog-ng-core into .cache/syslog-ng (not installed: it conflicts with rsyslog)"
  mkdir -p .cache/syslog-ng-deb
  (cd .cache/syslog-ng-deb && apt-get download -qq syslog-ng-core 2>/dev/null)
  dpkg-deb -x .cache/syslog-ng-deb/syslog-ng-core_*.deb .cache/syslog-ng
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
