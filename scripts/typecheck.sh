#!/usr/bin/env bash
# mypy over the package as it installs: events/, worker/ and tasks/ become netcache.events,
# netcache.worker and netcache.tasks (setuptools package-dir), which mypy cannot follow in the
# source tree, so it checks an assembled copy. Settings: [tool.mypy] in pyproject.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
cp -r netcache "$tree/netcache"
for folder in events worker tasks; do cp -r "$folder" "$tree/netcache/$folder"; done
find "$tree" -name __pycache__ -prune -exec rm -rf {} +
cp pyproject.toml "$tree/"
root=$PWD
cd "$tree" && "$root/.venv/bin/mypy" --config-file pyproject.toml --cache-dir "$root/.mypy_cache" -p netcache "$@"
