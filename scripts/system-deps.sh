#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: headless Chromium and its WebDriver (the
# browser test of `kg serve`'s page), the Virtuoso server (the remote-store tests) and a font with
# Chinese characters (kg plot's tests).
# Installs only what is missing; run by `make test`.
set -euo pipefail
want=(chromium chromium-driver virtuoso-opensource-7-bin fonts-wqy-zenhei)
missing=()
for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "Error: the tests need the Debian packages ${missing[*]}, and this system has no apt-get;" \
         "install Chromium, ChromeDriver, Virtuoso 7 and a CJK font by hand and run make test again." >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "${missing[@]}" >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || { echo "Error: could not install ${missing[*]} with apt-get; install them and run make test again." >&2; exit 1; }
