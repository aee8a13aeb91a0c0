#!/bin/sh
# The whole set-up in one command (POSIX sh: a fresh Debian or Ubuntu has no make):
#   ./setup.sh demo [DEMO OPTIONS]     the demo, in .venv
#   ./setup.sh test [PYTEST OPTIONS]   the tests, in .venv
# Creates or reuses .venv, installs the package into it (with the test extra for the tests), installs the
# Debian Apertium pairs when `apertium -l` does not list their modes (and for the tests Chromium), then
# runs. Without apt-get (or when installing fails) it says what to install and goes on: the demo leaves
# those languages untranslated and says so, the tests that need them are skipped saying what is missing.
set -eu
cd "$(dirname "$0")"

APERTIUM_PACKAGES="apertium apertium-eng-spa apertium-eng-cat apertium-spa-ita apertium-fr-es apertium-es-pt apertium-hbs-eng"
# The modes those packages install, as `apertium -l` lists them: the engines translation uses.
APERTIUM_MODES="spa-eng cat-eng ita-spa fr-es pt-es hbs-eng"
PYTHON=${PYTHON:-python3}

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Runs a command as root: directly when root, else through sudo; fails when neither is possible.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else say "not root and no sudo: cannot run $*"; return 1
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || { say "no apt-get on this machine: cannot install $*"; return 1; }
    say "apt-get install $*"
    if [ -z "${apt_updated:-}" ]; then as_root apt-get update -qq || return 1; apt_updated=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing_modes() {
    listed=$(apertium -l 2>/dev/null || true)
    for mode in $APERTIUM_MODES; do
        printf '%s\n' "$listed" | grep -qx "[[:space:]]*${mode}[[:space:]]*" || printf '%s ' "$mode"
    done
}

ensure_apertium() {
    missing=$(missing_modes)
    [ -z "$missing" ] && return 0
    say "Apertium modes not installed: $missing"
    # shellcheck disable=SC2086  # one argument per package
    apt_install $APERTIUM_PACKAGES || true
    missing=$(missing_modes)
    [ -z "$missing" ] && return 0
    say "going on without Apertium modes $missing(no translation through them)."
    say "To have them, install the Debian/Ubuntu packages: $APERTIUM_PACKAGES"
}

# The serve tests drive a real headless Chromium through Playwright (the test extra installs it), whose
# driver is a node binary that needs libatomic.so.1, which a minimal Debian lacks.
ensure_chromium() {
    packages=""
    .venv/bin/python -m playwright --version >/dev/null 2>&1 || packages="libatomic1"
    browser_found=""
    for browser in chromium chromium-browser google-chrome; do
        command -v "$browser" >/dev/null 2>&1 && browser_found=1
    done
    [ -n "$browser_found" ] || packages="$packages chromium"
    [ -n "$packages" ] || return 0
    # shellcheck disable=SC2086  # one argument per package
    apt_install $packages || say "going on without:$packages; the browser tests of serve are skipped or fail (install them to run them)"
}

# The PNG chart test reads the chart's text off the picture: resvg needs a font file on the machine.
ensure_fonts() {
    find /usr/share/fonts /usr/local/share/fonts -name '*.tt[fc]' -print -quit 2>/dev/null | grep -q . && return 0
    apt_install fonts-dejavu-core || say "going on without fonts: the PNG chart test fails (install fonts-dejavu-core)"
}

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

ensure_venv() {
    if python_ok .venv/bin/python && .venv/bin/python -m pip --version >/dev/null 2>&1; then return 0; fi
    command -v "$PYTHON" >/dev/null 2>&1 || die "needs Python 3.11 or newer: no $PYTHON (set PYTHON=/path/to/python3.11)"
    python_ok "$PYTHON" || die "needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)"
    say "creating the virtual environment .venv"
    rm -rf .venv
    if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
        # Debian and Ubuntu ship venv's pip bootstrap apart from Python, as python3.X-venv.
        rm -rf .venv
        apt_install "$("$PYTHON" -c 'import sys; print(f"python3.{sys.version_info[1]}-venv")')" \
            || die "cannot create a virtual environment: install your Python's venv package (e.g. python3-venv)"
        "$PYTHON" -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip  # the pip of an older Python warns about sdists
}

case "${1:-}" in
    demo) extra="" ;;
    test) extra="[test]" ;;
    *) die "usage: ./setup.sh demo [options] | ./setup.sh test [pytest options]" ;;
esac
verb=$1
shift

ensure_venv
say "installing integration-watch$extra into .venv"
.venv/bin/python -m pip install --quiet -e ".$extra"
ensure_apertium

if [ "$verb" = demo ]; then
    exec .venv/bin/integration-watch demo "$@"
fi
ensure_chromium
ensure_fonts
exec .venv/bin/python -m pytest "$@"
