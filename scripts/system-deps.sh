#!/usr/bin/env bash
# Install the Debian packages sop needs, only those missing.
# Usage: scripts/system-deps.sh site|test   (SOP_SYSTEM_PACKAGES_EXTRA adds more packages)
set -euo pipefail

site_pkgs=(graphviz fontconfig fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
test_pkgs=(chromium)

case "${1:-site}" in
  site) wanted=("${site_pkgs[@]}") ;;
  test) wanted=("${site_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 site|test" >&2; exit 2 ;;
esac

# More packages an installation needs (space separated), e.g. SOP_SYSTEM_PACKAGES_EXTRA=fonts-noto
read -r -a extra_pkgs <<< "${SOP_SYSTEM_PACKAGES_EXTRA:-}"
wanted+=("${extra_pkgs[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Paket sistem belum terpasang: ${missing[*]}" >&2
  echo "Pasang sebagai root:  apt-get install ${missing[*]}" >&2
  echo "(System packages missing; install them as root with the command above.)" >&2
  exit 1
fi

echo "Memasang paket sistem: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
