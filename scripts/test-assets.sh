#!/usr/bin/env bash
# Real data and models the tests read, from Debian's archive (nothing else is reachable offline).
# Idempotent and quick when everything is present. Without root or apt it says what is missing and
# the tests that need those files skip with the same message.
set -uo pipefail
cd "$(dirname "$0")/.."
for script in packages/*/scripts/fetch-test-assets.sh packages/*/*/scripts/fetch-test-assets.sh; do
  [ -f "$script" ] && bash "$script"
done
# --- docs: Debian's Chromium for the docs site's browser test (apps/docs/src/site.test.ts) ---------------
if ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y --no-install-recommends chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  fi
  if ! [ -x /usr/bin/chromium ]; then
    echo "test-assets: /usr/bin/chromium is missing; install Debian's chromium (apt-get install -y chromium) as root" >&2
    exit 1
  fi
fi
# --- end docs ---------------------------------------------------------------------------------------------
exit 0
