#!/usr/bin/env bash
# Sourced by Warren's scripts: installs the Debian packages named in the arguments when missing.
# Needs root (or a passwordless sudo); says clearly what is missing otherwise.

warren_install_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
      echo "warren: missing Debian packages: ${missing[*]} (run as root or install them)" >&2
      return 1
    fi
  fi
  echo "warren: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
