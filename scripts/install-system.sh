#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when missing and running as root:
# PostgreSQL (throwaway clusters in tests) and Chromium (console tests; never a downloaded browser).
# apt never starts services here; the tests start and stop their own.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v rabbitmq-server >/dev/null || need+=(rabbitmq-server)
# A CJK font, so the console (and its screenshot) shows Chinese text in headless Chromium.
[ -d /usr/share/fonts/truetype/wqy ] || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "singlewindow: please install: ${need[*]} (needs root)" >&2
  exit 0
fi
echo "singlewindow: installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
