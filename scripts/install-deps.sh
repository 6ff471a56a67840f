#!/usr/bin/env bash
# Installs the Debian packages bitloom builds and tests with. Idempotent: prints nothing and
# changes nothing when every package is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libsecp256k1-dev libboost-dev libleveldb-dev libsqlite3-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql
  geoip-database libgeoip-dev libmaxminddb-dev zlib1g-dev libxml2-utils chromium
)

installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null |
            awk '$NF == "installed" { print $1 }' || true)
missing=()
for pkg in "${packages[@]}"; do
  grep -qx "$pkg" <<<"$installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
