#!/usr/bin/env bash
# Real data and models the tests read, from Debian's archive (nothing else is reachable offline).
# Idempotent and quick when everything is present. Without root or apt it says what is missing and
# the tests that need those files skip with the same message.
set -uo pipefail
cd "$(dirname "$0")/.."
for script in packages/*/scripts/fetch-test-assets.sh packages/*/*/scripts/fetch-test-assets.sh apps/*/scripts/fetch-test-assets.sh; do
  [ -f "$script" ] && bash "$script"
done
exit 0
