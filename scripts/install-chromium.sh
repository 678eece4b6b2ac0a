#!/usr/bin/env bash
#
# Installs Debian's chromium for the console's browser tests (playwright-core drives it through
# executablePath; Playwright's own browser download is not used). A no-op when it is present.
#
#   scripts/install-chromium.sh            install if missing, print the path
#   PULSE_CHROMIUM=/path/to/chromium       use that binary instead (checked, never installed)

set -euo pipefail

chromium=${PULSE_CHROMIUM:-/usr/bin/chromium}
if [[ -x $chromium ]]; then
  printf '%s\n' "$chromium"
  exit 0
fi
if [[ -n ${PULSE_CHROMIUM:-} ]]; then
  printf 'install-chromium: PULSE_CHROMIUM=%s is not an executable\n' "$chromium" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  printf 'install-chromium: no apt-get here; install chromium and set PULSE_CHROMIUM\n' >&2
  exit 1
fi
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
printf 'install-chromium: installing Debian chromium (once)...\n' >&2
# Another run may hold the dpkg lock; wait for it rather than fail.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core >&2
[[ -x $chromium ]] || {
  printf 'install-chromium: chromium installed but %s is missing\n' "$chromium" >&2
  exit 1
}
printf '%s\n' "$chromium"
