#!/usr/bin/env bash
# One command from a fresh clone: system toolchain, npm packages, the autopar
# packages, then every kernel built through autopar (`nx run-many -t build`).
# With no model server reachable, the built-in analyzer proposes.
#
# Knobs (for CI and the fresh-clone test; the defaults are what the README describes):
#   AUTOPAR_SETUP_SYSTEM_DEPS=skip   do not check/install system packages
#   AUTOPAR_SETUP_PROJECTS=<list>    build these projects instead of every kernel (tag:kernel)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${AUTOPAR_SETUP_SYSTEM_DEPS:-}" != skip ]; then bash tools/install-system-deps.sh; fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build:packages
# npm links node_modules/.bin/autopar to the committed packages/core/bin/autopar.js; a
# checkout made before that file existed gets the link here.
[ -e node_modules/.bin/autopar ] || npm rebuild @autopar/core --no-audit --no-fund >/dev/null
NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --projects="${AUTOPAR_SETUP_PROJECTS:-tag:kernel}" --outputStyle=static
echo
echo "autopar: reports in dist/kernels/<kernel>/autopar-report.json"
