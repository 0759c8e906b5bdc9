#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and starts the
# workbench on a demo project. With no display it runs the demo headless and
# prints where the results and reports are.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/installer/install-deps.sh"
# Same configuration as installer/test.sh (see build.sh); only the programs are built.
"$root/installer/build.sh" "$root/build" -- bioforge bioforge-workbench bioforge_plugins
project="${BIOFORGE_DEMO_PROJECT:-$HOME/BioForge/demo-project}"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$root/build/bin/bioforge-workbench" --project "$project" --demo
fi
echo "demo: no display found; running the demo headless"
exec "$root/build/bin/bioforge" --project "$project" demo
