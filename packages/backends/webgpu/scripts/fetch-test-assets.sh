#!/usr/bin/env bash
# The Debian packages Dawn's OpenGL ES fallback needs to run WebGPU on Mesa llvmpipe (a machine
# without a GPU), for @graft/backend-webgpu's tests. Idempotent and quick when they are installed
# (dpkg -s only). Installs them when running as root with apt-get; otherwise says what is missing,
# and the webgpu tests skip with the same message (outside CI; in CI they fail).
set -uo pipefail

packages=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "webgpu test assets: not a Debian-like system; make sure EGL, GLES 2 and Mesa's swrast driver are installed"
  exit 0
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "webgpu test assets: ${packages[*]} installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "webgpu test assets: missing ${missing[*]}; install them as root: apt-get install ${missing[*]}"
  exit 1
fi
apt-get -o DPkg::Lock::Timeout=600 update -qq || true
if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "webgpu test assets: installed ${missing[*]}"
else
  echo "webgpu test assets: could not install ${missing[*]} (the webgpu tests skip outside CI)"
  exit 1
fi
