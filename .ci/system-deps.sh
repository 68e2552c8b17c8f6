#!/usr/bin/env bash
# Installs the Debian packages the app's tests need, only when one is missing.
# Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail
PKGS=(postgresql chromium poppler-utils fonts-liberation2 curl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing system packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
