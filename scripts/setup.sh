#!/usr/bin/env bash
# Install what is missing: OS packages, the Python virtualenv, front-end packages.
# Idempotent and quick on a second run. Usage: scripts/setup.sh [--test]
source "$(dirname "$0")/lib.sh"
WANT_TEST=0; [ "${1:-}" = "--test" ] && WANT_TEST=1
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || die "Python 3.11+ is required"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11+ is required ($PYTHON is older)"

missing=()
"$PYTHON" -c 'import ensurepip' 2>/dev/null || missing+=("python3-venv")
# GeoDjango loads GDAL, GEOS and PROJ through ctypes: gdal-bin brings all three.
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libgdal\.so' || missing+=("gdal-bin")
command -v psql >/dev/null || missing+=("postgresql-client")
if [ -f package.json ] && ! command -v npm >/dev/null; then missing+=("nodejs" "npm"); fi
if [ "$WANT_TEST" -eq 1 ] && ! command -v chromium >/dev/null; then missing+=("chromium"); fi
# The sensor streams' broker (observations/; scripts/mqtt.sh starts it when none runs).
command -v mosquitto >/dev/null || missing+=("mosquitto")
# The dashboard's PDF briefing: WeasyPrint lays text out with Pango (dashboard/briefing.py).
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libpangoft2-1\.0\.so' || missing+=("libpango-1.0-0" "libpangoft2-1.0-0")
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=("fonts-dejavu-core")  # Vietnamese glyphs
apt_install "${missing[@]}"

# Python virtualenv, reinstalled only when pyproject.toml changes.
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  say "installing Python packages (pinned in pyproject.toml)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null
  .venv/bin/python - <<'PY' > .venv/requirements.txt
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))
PY
  .venv/bin/python -m pip install -q --disable-pip-version-check -r .venv/requirements.txt 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c 'import django, shapely' || die "Python packages failed to install"
  rm -f .venv/.installed-*; touch "$stamp"
fi

# Front-end packages (pinned in package-lock.json) and the map's offline assets: MapLibre GL JS
# and the glyphs of its labels, in var/map-assets/.
scripts/map_assets.sh
