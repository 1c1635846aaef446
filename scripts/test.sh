#!/usr/bin/env bash
# Run the whole test suite (sets itself up first: redis-server, .venv).
# Extra arguments go to pytest, e.g. scripts/test.sh -k tiers -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
