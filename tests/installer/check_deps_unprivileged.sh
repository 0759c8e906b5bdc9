#!/usr/bin/env bash
# The README commands' dependency step, as a user without root or sudo on a
# machine where everything is installed: it must answer from dpkg alone
# (every name a real package, so nothing looks missing), with no apt-get and
# no network, and exit 0.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || { echo "SKIP: setpriv is not installed"; exit 0; }
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent)
else
  run=(env -i PATH=/usr/bin:/bin HOME="$HOME")
fi
# A PATH without sudo or apt-get: reaching for either fails the test.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
for tool in sudo apt-get apt; do printf '#!/bin/sh\necho "install-deps called %s" >&2; exit 99\n' "$tool" >"$fake/$tool"; chmod 755 "$fake/$tool"; done
# A copy the unprivileged user can read wherever the checkout lies.
cp "$1/installer/install-deps.sh" "$fake/install-deps.sh"
script="$fake/install-deps.sh"
chmod 755 "$fake" "$script"
out=$("${run[@]}" PATH="$fake:/usr/bin:/bin" bash "$script" 2>&1) || { echo "$out"; echo "install-deps failed for an unprivileged user"; exit 1; }
echo "$out"
echo "$out" | grep -q "everything is installed" || { echo "install-deps did not find everything installed"; exit 1; }
