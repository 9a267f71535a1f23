/* The wall's map (window.iocWallMap): shows a scene on our MapLibre map — its extent, its sector
 * layers (others hidden; basemap and boundaries always), its incident filters (in the tile URLs
 * of the incidents source: `status`, `category`, and `v` for the data version, the only query
 * names the tile endpoint accepts) and its legend (from the style's `metadata["ioc:legend"]`).
 *
 * Sizes: a scene is framed for a 1920 × 1080 screen. A bigger wall draws the map at that scale
 * and enlarges it (CSS transform, with the pixel ratio raised to match, so it stays sharp):
 * labels and symbols grow with the screen and stay legible across a room; 7680 × 2160 shows
 * the scene's height and twice its width. A smaller screen zooms out to keep the extent.
 * The map is made here rather than by map-base.js: it takes no input (interactive: false),
 * keeps no URL hash, and may exceed MapLibre's default 4096-pixel canvas.
 * After the style is loaded again (a recovery) the scene is applied again. Everything from the
 * API is set as text (iocUi.el). `window.iocMap` is the map, for the browser tests. */
(function () {
  "use strict";

  const REFERENCE = {width: 1920, height: 1080};
  const FLY_MS = 2500;
  const MAX_CANVAS = [16384, 16384];

  /** How much a wall of this size enlarges the map (1 up to 1920 × 1080). */
  function enlargement(width, height) {
    return Math.max(1, Math.min(width / REFERENCE.width, height / REFERENCE.height));
  }

  function createMap(container, scale) {
    const absolute = (url) => new URL(url, window.location.href).href;
    maplibregl.setWorkerUrl(absolute(container.dataset.workerUrl));
    const map = new maplibregl.Map({
      container: container, style: absolute(container.dataset.styleUrl), interactive: false,
      attributionControl: {compact: true}, maxCanvasSize: MAX_CANVAS,
      pixelRatio: (window.devicePixelRatio || 1) * scale, fadeDuration: 0,
    });
    window.iocMap = map;
    return map;
  }

  window.iocWallMap = function (container, options) {
    const ui = window.iocUi;
    const frame = container.parentElement;
    let scale = 1;

    /** Draw the map at 1920 × 1080 scale and enlarge it to the frame (see above). */
    function fit() {
      scale = enlargement(frame.clientWidth, frame.clientHeight);
      const base = parseFloat(getComputedStyle(frame).fontSize) || 16;
      container.style.width = frame.clientWidth / scale + "px";
      container.style.height = frame.clientHeight / scale + "px";
      container.style.transform = scale > 1 ? "scale(" + scale + ")" : "";
      container.style.fontSize = base / scale + "px";
    }

    fit();
    const map = createMap(container, scale);
    const incidentsLayer = options.incidentsLayer;
    const legend = options.legend;
    let scene = null;
    let version = null;  // newest data version of the incidents layer heard of
    let styleReady = false;  // between "style.load" and a reload

    function zoomFor(zoom) {
      const ratio = Math.min(container.clientWidth / REFERENCE.width,
                             container.clientHeight / REFERENCE.height);
      const adjusted = zoom + (ratio > 0 ? Math.log2(ratio) : 0);
      return Math.max(0, Math.min(22, adjusted));
    }

    function layerSlug(styleLayer) {
      return styleLayer.metadata && styleLayer.metadata["ioc:layer"];
    }

    function shownSlugs() {
      return new Set(scene ? scene.layers.map((layer) => layer.slug) : []);
    }

    /** Sector layers of the scene visible, every other sector layer hidden. */
    function applyVisibility() {
      const shown = shownSlugs();
      for (const styleLayer of map.getStyle().layers) {
        const slug = layerSlug(styleLayer);
        if (!slug) continue;
        const wanted = shown.has(slug) ? "visible" : "none";
        if (map.getLayoutProperty(styleLayer.id, "visibility") !== wanted) {
          map.setLayoutProperty(styleLayer.id, "visibility", wanted);
        }
      }
    }

    /** The incidents tile URL for the scene's filters and the data version. */
    function incidentTiles(current) {
      const at = current.indexOf("?");
      const path = at < 0 ? current : current.slice(0, at);
      const query = new URLSearchParams();
      const filters = (scene && scene.filters) || {};
      if (filters.status && filters.status.length) query.set("status", filters.status.join(","));
      if (filters.category && filters.category.length) {
        query.set("category", filters.category.join(","));
      }
      if (version !== null) query.set("v", String(version));
      const text = query.toString().replace(/%2C/g, ",");
      return text ? path + "?" + text : path;
    }

    /** Re-set the incidents source's tile URL when filters or version changed. A source still
     *  loading its TileJSON is caught up once it has ("sourcedata" metadata). */
    function syncIncidents() {
      const source = map.getSource(incidentsLayer);
      if (!source || typeof source.setTiles !== "function" || !Array.isArray(source.tiles)) return;
      const wanted = incidentTiles(source.tiles[0]);
      window.iocSetTiles(map, incidentsLayer, [wanted]);
    }

    map.on("sourcedata", (event) => {
      if (event.sourceDataType === "metadata" && event.sourceId === incidentsLayer) {
        syncIncidents();
      }
    });

    /** A colour dot (set through the CSSOM: it holds under any style-src policy). */
    function swatch(colour) {
      const dot = ui.el("span", {className: "swatch"});
      dot.style.setProperty("--swatch", /^#[0-9a-fA-F]{3,8}$/.test(colour) ? colour : "#888");
      return dot;
    }

    /** The legend: one block per visible sector layer, its entries from the style. */
    function renderLegend() {
      if (!legend) return;
      const titles = new Map((scene ? scene.layers : []).map((l) => [l.slug, l.title]));
      const seen = new Set();
      const blocks = [];
      for (const styleLayer of map.getStyle().layers) {
        const slug = layerSlug(styleLayer);
        if (!slug || seen.has(slug) || !titles.has(slug)) continue;
        seen.add(slug);
        const entries = (styleLayer.metadata["ioc:legend"] || []).slice(0, 8).map((entry) =>
          ui.el("li", {}, swatch(entry.color), ui.el("span", {text: entry.label})));
        blocks.push(ui.el("div", {className: "legend-layer", dataset: {layer: slug}},
                          ui.el("p", {className: "legend-title", text: titles.get(slug)}),
                          ui.el("ul", {className: "legend-entries"}, entries)));
      }
      legend.replaceChildren(...blocks);
    }

    function applyLayers() {
      if (!styleReady) return;
      applyVisibility();
      syncIncidents();
      renderLegend();
    }

    map.on("style.load", () => {
      styleReady = true;
      applyLayers();
    });

    return {
      map: map,
      /** Show a scene: fly there (jump when `instant`), its layers, filters and legend. */
      show(next, instant) {
        scene = next;
        const view = {center: next.center, zoom: zoomFor(next.zoom)};
        if (instant) map.jumpTo(view);
        else map.flyTo({...view, duration: FLY_MS, essential: true});
        applyLayers();
      },
      /** The incidents layer changed (an event's or the socket's data version). */
      want(newVersion) {
        if (typeof newVersion !== "number" || (version !== null && newVersion <= version)) return;
        version = newVersion;
        syncIncidents();
      },
      /** Load the style again from the server (after an outage: failed tiles, lost style). */
      reload() {
        styleReady = false;
        map.setStyle(new URL(container.dataset.styleUrl, window.location.href).href,
                     {diff: false});
      },
      /** The scene again at the current size (the window was resized). */
      refit() {
        fit();
        map.setPixelRatio((window.devicePixelRatio || 1) * scale);
        map.resize();
        if (scene) map.jumpTo({center: map.getCenter(), zoom: zoomFor(scene.zoom)});
      },
    };
  };
})();
