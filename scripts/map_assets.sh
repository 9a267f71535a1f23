#!/usr/bin/env bash
# The map's offline assets in var/map-assets/, served as /static/map/… (STATICFILES_DIRS):
#   maplibre-gl/maplibre-gl.{js,css}            MapLibre GL JS, copied from node_modules
#   maplibre-gl/maplibre-gl-csp{,-worker}.js    its CSP build: the worker is loaded from our URL
#                                               (maplibregl.setWorkerUrl), not from a blob:
#   glyphs/<fontstack>/<start>-<end>.pbf        SDF glyphs, fontstacks "Noto Sans Regular|Bold"
# Installs what is missing (fonts, node, the pinned npm packages) and rebuilds only when an input
# changed, so a second run is quick. Nothing here is fetched at run time. Run by scripts/setup.sh.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Noto Sans from Debian's fonts-noto-core (SIL Open Font License 1.1): Regular and Bold cover
# every Vietnamese letter (Latin-1, Latin Extended-A/B and Additional) and the combining marks.
# DejaVu Sans covers them too, but Noto Sans is the face MapLibre styles usually name.
FONT_DIR=/usr/share/fonts/truetype/noto
FONTS=("$FONT_DIR/NotoSans-Regular.ttf" "$FONT_DIR/NotoSans-Bold.ttf")
OUT=var/map-assets
BUILT=var/map-assets.built  # hash of the inputs of the last build (outside the served tree)

missing=()
[ -f "${FONTS[0]}" ] && [ -f "${FONTS[1]}" ] || missing+=("fonts-noto-core")
command -v npm >/dev/null || missing+=("nodejs" "npm")
apt_install "${missing[@]}"

# Packages pinned in package-lock.json, reinstalled only when it changes (npm ci empties
# node_modules, stamp included). No install scripts: fontnik ships a prebuilt N-API binary.
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing front-end packages (pinned in package-lock.json)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  touch "$stamp"
fi

# This script is an input too: a change to what it copies rebuilds the tree.
inputs="$(cat package-lock.json scripts/map_glyphs.js scripts/map_assets.sh "${FONTS[@]}" \
          | sha256sum | cut -c1-16)"
if [ ! -d "$OUT" ] || [ "$(cat "$BUILT" 2>/dev/null)" != "$inputs" ]; then
  say "building map assets in $OUT (MapLibre GL JS, Noto Sans glyphs)"
  mkdir -p var
  tmp="$(mktemp -d var/map-assets.XXXXXX)"
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"
  dist=node_modules/maplibre-gl/dist
  mkdir -p "$tmp/maplibre-gl"
  # The .map too: the .js names it, and collectstatic's manifest storage fails on a missing one.
  cp "$dist/maplibre-gl.js" "$dist/maplibre-gl.js.map" "$dist/maplibre-gl.css" \
     "$dist/maplibre-gl-csp.js" "$dist/maplibre-gl-csp.js.map" \
     "$dist/maplibre-gl-csp-worker.js" "$dist/maplibre-gl-csp-worker.js.map" \
     "$dist/LICENSE.txt" "$tmp/maplibre-gl/"
  node scripts/map_glyphs.js "$tmp/glyphs" "${FONTS[@]}" >/dev/null
  cp /usr/share/doc/fonts-noto-core/copyright "$tmp/glyphs/LICENSE-fonts-noto-core.txt" 2>/dev/null || true
  rm -rf "$OUT"
  mv "$tmp" "$OUT"
  echo "$inputs" > "$BUILT"
fi
