#!/usr/bin/env bash
# Fetch the real data @graft/vision's tests and demos use, from Debian. Idempotent and quick when done.
#   - dataset-fashion-mnist (installed): /usr/share/dataset-fashion-mnist/*.gz
#   - font packages (installed): the faces vision/font-digits renders digits from
#   - python3-torch, python3-torchvision, python3-onnx (installed): the ONNX parity tests export torchvision models
#   - darknet's data/dog.jpg and scikit-learn's digits.csv.gz: the .debs are only unpacked (no SciPy, no
#     CUDA) into $GRAFT_CACHE/debian/<package>/
# Without root (or without apt) it says what is missing and exits 1 (outside CI the tests that need the files skip).
set -euo pipefail

cache="${GRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/graft}"
debs="$cache/debian"
install_pkgs=(dataset-fashion-mnist fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-liberation2
  fonts-urw-base35 fonts-freefont-ttf fonts-texgyre fonts-croscore fonts-crosextra-carlito fonts-crosextra-caladea
  fonts-cantarell fonts-open-sans fonts-roboto-unhinted fonts-lato fonts-ebgaramond fonts-linuxlibertine
  fonts-comic-neue fonts-go fonts-hack fonts-inconsolata fonts-firacode fonts-stix fonts-noto-core fonts-noto-mono
  fonts-cmu)
# ONNX parity tests (src/onnx): PyTorch, torchvision and onnx export torchvision CNNs at test time.
install_pkgs+=(python3-torch python3-torchvision python3-onnx)
unpack_pkgs=(darknet:usr/share/darknet/data/dog.jpg python3-sklearn:usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz)

missing=()
for p in "${install_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
need_unpack=()
for entry in "${unpack_pkgs[@]}"; do
  [ -f "$debs/${entry%%:*}/${entry#*:}" ] || need_unpack+=("${entry%%:*}")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#need_unpack[@]} -eq 0 ]; then
  echo "vision test assets: all present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "vision test assets: apt-get not found; missing: ${missing[*]} ${need_unpack[*]}"
  exit 1
fi
sudo=""
cannot_install=0
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    if [ ${#missing[@]} -gt 0 ]; then
      echo "vision test assets: not root, cannot install ${missing[*]}"
      cannot_install=1
    fi
    missing=()
  fi
fi

apt_get() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
updated=0
ensure_lists() {
  if [ $updated = 0 ] && ! apt-cache show darknet >/dev/null 2>&1; then apt_get update -qq; fi
  updated=1
}

if [ ${#missing[@]} -gt 0 ]; then
  ensure_lists
  echo "vision test assets: installing ${missing[*]}"
  apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for pkg in "${need_unpack[@]}"; do
  ensure_lists
  tmp=$(mktemp -d); chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null)
  mkdir -p "$debs"
  rm -rf "$debs/$pkg.partial"
  dpkg-deb -x "$tmp"/"${pkg}"_*.deb "$debs/$pkg.partial"
  rm -rf "$debs/$pkg" "$tmp"
  mv "$debs/$pkg.partial" "$debs/$pkg"   # rename last, so a half-unpacked tree is never taken for a whole one
  echo "vision test assets: unpacked $pkg into $debs/$pkg"
done
[ "$cannot_install" = 0 ] || exit 1
