#!/usr/bin/env bash
# The real data and system libraries the tests read, from Debian's archive (the only source reachable
# offline here). It says what it installs or unpacks:
#   - @graft/vision: dataset-fashion-mnist and font packages (installed); darknet's dog.jpg and scikit-learn's
#     digits.csv.gz (unpacked into $GRAFT_CACHE/debian, no root needed to read them)
#   - @graft/tabular: r-cran-palmerpenguins's penguins.csv (unpacked into $GRAFT_CACHE/debian)
#   - @graft/backend-webgpu: EGL, GLES 2 and Mesa's swrast driver (installed)
#   - @graft/text: bzip2 (installed; its archive tests build .tar.bz2 files from the corpus's real mails)
# Idempotent and quick when everything is present. Exits non-zero, naming what is missing, when anything
# could not be installed (not root, no apt): in CI (CI=1) the tests that need it fail rather than skip.
# The demo and users do not need this script: datasets download from their public homes into the cache.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
for script in packages/*/scripts/fetch-test-assets.sh packages/*/*/scripts/fetch-test-assets.sh apps/*/scripts/fetch-test-assets.sh; do
  [ -f "$script" ] || continue
  bash "$script" || failed+=("$script")
done
# Debian's Chromium, for the browser tests (the docs site, the studio page).
if ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y --no-install-recommends chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  fi
  [ -x /usr/bin/chromium ] || failed+=("chromium (apt-get install -y chromium, as root)")
fi
# bzip2, for the SpamAssassin archive tests (packages/plugins/text/src/datasets/spam-assassin-archives.test.ts).
if ! command -v bzip2 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y --no-install-recommends bzip2 >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends bzip2 >/dev/null; }
  fi
  command -v bzip2 >/dev/null || failed+=("bzip2 (apt-get install -y bzip2, as root)")
fi
# Redis, for the `graft search --queue` tests (apps/cli/src/search-queue.test.ts).
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y --no-install-recommends redis-server >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends redis-server >/dev/null; }
  fi
  command -v redis-server >/dev/null || failed+=("redis-server (apt-get install -y redis-server, as root)")
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "test assets: MISSING — ${failed[*]} could not provide everything (see above). Run this script as root on Debian or Ubuntu." >&2
  exit 1
fi
echo "test assets: all present"
