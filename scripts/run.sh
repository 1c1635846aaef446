#!/usr/bin/env bash
# Run the main job on this machine: the whole netcache stack on a local Redis
# (started here if none answers at NETCACHE_REDIS_URL). Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/netcache stack "$@"
