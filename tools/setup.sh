#!/usr/bin/env bash
# One command from a fresh clone: system toolchain, npm packages, the autopar
# packages, then every kernel built through autopar (`nx run-many -t build`).
# With no model server reachable, the built-in analyzer proposes.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-system-deps.sh
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build:packages
NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --projects='tag:kernel' --outputStyle=static
echo
echo "autopar: reports in dist/kernels/<kernel>/autopar-report.json"
