#!/usr/bin/env bash
# Builds the .deb and .tar.gz, unpacks the .deb into a temporary root and runs
# `bioforge --version` and `bioforge plugins` from it.
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$build"
cpack -G "DEB;TGZ" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/*.deb)
ls "$work"/out/*.tar.gz >/dev/null
echo "package: $deb"
dpkg-deb -I "$deb" | grep -E "Depends:.*libqt6core6" >/dev/null || { echo "Depends lacks Qt"; dpkg-deb -I "$deb"; exit 1; }
dpkg-deb -I "$deb" | grep "libqt6sql6-sqlite" >/dev/null || { echo "Depends lacks the SQLite driver"; exit 1; }
root="$work/root"
dpkg-deb -x "$deb" "$root"
for f in usr/bin/bioforge usr/bin/bioforge-workbench \
         usr/share/applications/org.bioforge.Workbench.desktop \
         usr/share/metainfo/org.bioforge.Workbench.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/org.bioforge.Workbench.svg; do
  [ -e "$root/$f" ] || { echo "missing in package: $f"; exit 1; }
done
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
unset BIOFORGE_PLUGIN_PATH LD_LIBRARY_PATH
version=$("$root/usr/bin/bioforge" --version)
echo "$version" | head -1
echo "$version" | grep "^BioForge Workbench " >/dev/null
plugins=$("$root/usr/bin/bioforge" --project "$work/project" plugins)
echo "$plugins"
echo "$plugins" | grep "loaded  workbench" >/dev/null
# Plugins come from the unpacked tree, never from the build tree.
if echo "$plugins" | grep "$build" >/dev/null; then echo "the packaged program searched the build tree"; exit 1; fi
# Every plugin the build loads is loaded from the package too.
expected=$(env -u BIOFORGE_PLUGIN_PATH "$build/bin/bioforge" --project "$work/build-project" plugins | awk '/^loaded /{print $2}' | sort)
actual=$(echo "$plugins" | awk '/^loaded /{print $2}' | sort)
if [ "$expected" != "$actual" ]; then echo "plugins loaded from the package: [$actual], from the build: [$expected]"; exit 1; fi
# Every demo runs from the package alone (no ../shared, no build tree): the viral one makes its own test models.
demo=$(env -u BIOFORGE_FIXTURES_DIR "$root/usr/bin/bioforge" --project "$work/demo-project" demo 2>"$work/demo.err") || { cat "$work/demo.err"; echo "the demo failed from the package"; exit 1; }
if grep -q "cannot run" "$work/demo.err"; then cat "$work/demo.err"; exit 1; fi
echo "$demo" | grep "VirNucPro demo" >/dev/null || { echo "$demo"; echo "the viral demo did not run from the package"; exit 1; }
echo "package check passed"
