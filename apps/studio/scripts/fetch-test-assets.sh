#!/usr/bin/env bash
# The studio's browser tests drive Debian's Chromium (headless), read MobileNet from /work/shared/models and
# unpack the downloaded tfjs model with Info-ZIP's unzip (an independent reader of the page's zip).
set -uo pipefail
if ! command -v unzip >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends unzip >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends unzip >/dev/null; } || { echo "test-assets: FAILED to install unzip (apt-get install unzip)" >&2; exit 1; }
  else
    echo "test-assets: MISSING unzip: the studio tests need it (as root: apt-get install unzip)" >&2
    exit 1
  fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends chromium >/dev/null || { echo "test-assets: FAILED to install chromium (apt-get install chromium)" >&2; exit 1; }
  else
    echo "test-assets: MISSING chromium: the studio tests need it (as root: apt-get install chromium)" >&2
    exit 1
  fi
fi
if [ ! -f /work/shared/models/mobilenet_v1_0.25_224/model.json ]; then
  echo "test-assets: MISSING /work/shared/models/mobilenet_v1_0.25_224/model.json (the studio tests serve it as the model mirror)" >&2
  exit 1
fi
