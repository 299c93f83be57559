#!/usr/bin/env bash
# Makes sure the tools the tests run are installed: redis-server and redis-cli (the tests start
# their own private instance) and Debian's chromium (the web simulator test drives it headless).
# Installs what is missing with apt-get when running as root; otherwise prints how to install them.
# Does nothing when everything is present, so it can run before every test run.
set -euo pipefail

missing_packages=()
command -v redis-server >/dev/null 2>&1 || missing_packages+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing_packages+=(redis-tools)
[ -x /usr/bin/chromium ] || missing_packages+=(chromium)

if [ "${#missing_packages[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing missing test tools with apt-get: ${missing_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_packages[@]}" >/dev/null
  exit 0
fi

echo "Missing test tools: ${missing_packages[*]}." >&2
echo "The tests start their own redis-server on a free port and drive /usr/bin/chromium headless." >&2
echo "Install them (Debian/Ubuntu: sudo apt-get install ${missing_packages[*]})." >&2
exit 1
