#!/usr/bin/env bash
# Installs the Debian packages portmeet needs beyond Python: fonts covering Latin, Greek, Cyrillic,
# Hebrew and Arabic for the PDFs, chromium for the browser tests, haproxy (the load balancer in front of
# several app servers, benchmarks/bench_two_servers.py) and redis (the rate-limit counts they share).
# Skips what is already there.
set -euo pipefail
missing=()
dpkg -s fonts-noto-core >/dev/null 2>&1 || missing+=(fonts-noto-core)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s poppler-utils >/dev/null 2>&1 || missing+=(poppler-utils)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
