#!/usr/bin/env bash
# Installs the C libraries seiscluster links (Debian/Ubuntu). Run as root or with sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
  libfftw3-dev libopenblas-dev libsqlite3-dev libmseed-dev libssl-dev pkg-config >/dev/null
