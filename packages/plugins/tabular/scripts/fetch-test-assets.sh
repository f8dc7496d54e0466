#!/usr/bin/env bash
# Fetch the Palmer penguins CSV that @graft/tabular's tests and demo read, from Debian's
# r-cran-palmerpenguins. The .deb is only unpacked (R is not installed) into
# $GRAFT_CACHE/debian/r-cran-palmerpenguins/. Idempotent; quick when the file is there (or when the
# package is installed system-wide). Without apt it says so and exits 1 (outside CI the penguins tests skip).
set -euo pipefail

pkg=r-cran-palmerpenguins
rel=usr/lib/R/site-library/palmerpenguins/extdata/penguins.csv
cache="${GRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/graft}"
dest="$cache/debian/$pkg"

if [ -f "/$rel" ] || [ -f "$dest/$rel" ]; then
  echo "tabular test assets: penguins.csv present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "tabular test assets: apt-get/dpkg-deb not found; penguins.csv missing"
  exit 1
fi
if ! apt-cache show "$pkg" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  fi
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
  echo "tabular test assets: could not download $pkg; penguins.csv missing"
  exit 1
fi
mkdir -p "$cache/debian"
rm -rf "$dest.partial"
dpkg-deb -x "$tmp"/"$pkg"_*.deb "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest" # renamed last, so a half-unpacked tree is never taken for a whole one
echo "tabular test assets: unpacked $pkg into $dest"
