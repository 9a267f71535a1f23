/* Planner (/planner/): every layer the user may see, each with a checkbox and an opacity slider;
 * a polygon drawn by clicks (a small tool of ours: click adds a vertex, clicking the first vertex
 * or "finish" closes it) whose per-layer counts come from POST /api/planner/within/; links to
 * export the visible extent of the checked layers and to download the offline briefing map.
 * Text from data is only ever set as text (iocUi.el). `window.iocPlanner` is for the tests. */
(function () {
  "use strict";

  const ui = window.iocUi;
  const {el, t} = ui;
  const config = ui.config;
  const container = document.getElementById("map");
  const status = document.getElementById("draw-status");
  const result = document.getElementById("within-result");
  const buttons = {start: document.getElementById("draw-start"),
                   finish: document.getElementById("draw-finish"),
                   clear: document.getElementById("draw-clear")};
  const DRAW = "planner-draw";
  // Paint properties that carry opacity, per style layer type, and the fill's own base value.
  const OPACITY = {fill: ["fill-opacity"], line: ["line-opacity"],
                   circle: ["circle-opacity", "circle-stroke-opacity"],
                   symbol: ["text-opacity", "icon-opacity"]};

  const map = window.iocMapCreate(container);
  const state = {groups: new Map(), checked: new Set(), opacity: new Map(),
                 drawing: false, vertices: [], polygon: null, asked: 0};

  /** Style layers per layer slug (source ids are layer slugs), with their base opacities. */
  function groupStyleLayers() {
    for (const layer of config.layers) state.groups.set(layer.slug, []);
    for (const styleLayer of map.getStyle().layers) {
      const group = state.groups.get(styleLayer.source);
      if (!group) continue;
      const base = {};
      for (const name of OPACITY[styleLayer.type] || []) {
        const value = map.getPaintProperty(styleLayer.id, name);
        base[name] = typeof value === "number" ? value : 1;
      }
      group.push({id: styleLayer.id, base: base});
    }
  }

  function setVisible(slug, visible) {
    for (const styleLayer of state.groups.get(slug) || []) {
      map.setLayoutProperty(styleLayer.id, "visibility", visible ? "visible" : "none");
    }
    if (visible) state.checked.add(slug); else state.checked.delete(slug);
    renderExports();
    if (state.polygon) askWithin();
  }

  function setOpacity(slug, value) {
    state.opacity.set(slug, value);
    for (const styleLayer of state.groups.get(slug) || []) {
      for (const [name, base] of Object.entries(styleLayer.base)) {
        map.setPaintProperty(styleLayer.id, name, Math.round(base * value * 1000) / 1000);
      }
    }
  }

  function layerItem(layer) {
    const box = el("input", {type: "checkbox", value: layer.slug, checked: true,
                             on: {change: () => setVisible(layer.slug, box.checked)}});
    const slider = el("input", {type: "range", min: "0", max: "100", step: "5", value: "100",
                                "aria-label": t("opacity", {layer: layer.title}),
                                dataset: {layer: layer.slug},
                                on: {input: () => setOpacity(layer.slug, slider.value / 100)}});
    return el("li", {dataset: {layer: layer.slug}}, el("label", {}, box, " ", layer.title), slider);
  }

  // ---- drawing ----------------------------------------------------------------------------
  function drawData() {
    const points = state.vertices.map((v) => ({type: "Feature", properties: {},
                                               geometry: {type: "Point", coordinates: v}}));
    const shape = state.polygon ? {type: "Feature", properties: {}, geometry: state.polygon}
      : state.vertices.length > 1 ? {type: "Feature", properties: {},
                                     geometry: {type: "LineString", coordinates: state.vertices}}
      : null;
    return {type: "FeatureCollection", features: shape ? [shape, ...points] : points};
  }

  function addDrawLayers() {
    map.addSource(DRAW, {type: "geojson", data: drawData()});
    map.addLayer({id: "planner-draw-fill", type: "fill", source: DRAW,
                  filter: ["==", ["geometry-type"], "Polygon"],
                  paint: {"fill-color": "#0b5cad", "fill-opacity": 0.15}});
    map.addLayer({id: "planner-draw-line", type: "line", source: DRAW,
                  filter: ["!=", ["geometry-type"], "Point"],
                  paint: {"line-color": "#0b5cad", "line-width": 2, "line-dasharray": [2, 1]}});
    map.addLayer({id: "planner-draw-vertices", type: "circle", source: DRAW,
                  filter: ["==", ["geometry-type"], "Point"],
                  paint: {"circle-radius": 4, "circle-color": "#ffffff",
                          "circle-stroke-color": "#0b5cad", "circle-stroke-width": 2}});
  }

  function redraw() {
    map.getSource(DRAW).setData(drawData());
    buttons.finish.disabled = !(state.drawing && state.vertices.length >= 3);
    buttons.clear.disabled = !(state.drawing || state.polygon);
    container.classList.toggle("drawing", state.drawing);
  }

  function startDrawing() {
    state.drawing = true;
    state.vertices = [];
    state.polygon = null;
    result.replaceChildren();
    map.doubleClickZoom.disable();
    status.textContent = t("draw_hint");
    redraw();
  }

  function nearFirstVertex(point) {
    if (state.vertices.length < 3) return false;
    const first = map.project(state.vertices[0]);
    return Math.hypot(first.x - point.x, first.y - point.y) < 8;
  }

  function onMapClick(event) {
    if (!state.drawing) return;
    if (nearFirstVertex(event.point)) { finishDrawing(); return; }
    if (state.vertices.length >= config.max_vertices - 1) {
      status.textContent = t("too_many_vertices", {count: config.max_vertices});
      return;
    }
    const lngLat = event.lngLat.wrap();
    state.vertices.push([round(lngLat.lng), round(lngLat.lat)]);
    status.textContent = t("vertices", {count: state.vertices.length});
    redraw();
  }

  function finishDrawing() {
    if (state.vertices.length < 3) return;
    state.drawing = false;
    state.polygon = {type: "Polygon", coordinates: [[...state.vertices, state.vertices[0]]]};
    state.vertices = [];
    map.doubleClickZoom.enable();
    status.textContent = "";
    redraw();
    askWithin();
  }

  function clearDrawing() {
    state.drawing = false;
    state.vertices = [];
    state.polygon = null;
    state.asked += 1;  // an answer still on its way is for a polygon that is gone
    map.doubleClickZoom.enable();
    status.textContent = "";
    result.replaceChildren();
    redraw();
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  // ---- counts inside the polygon ----------------------------------------------------------
  async function askWithin() {
    const layers = config.layers.map((l) => l.slug).filter((slug) => state.checked.has(slug));
    if (!state.polygon) return;
    if (layers.length === 0) { result.replaceChildren(el("p", {text: t("no_layer")})); return; }
    const asked = ++state.asked;
    result.dataset.state = "loading";
    result.replaceChildren(el("p", {className: "muted", text: t("asking")}));
    try {
      const answer = await ui.api(config.within_url, {method: "POST",
                                                       body: {polygon: state.polygon, layers}});
      if (asked !== state.asked) return;
      showWithin(answer);
    } catch (error) {
      if (asked !== state.asked) return;
      result.dataset.state = "error";
      result.replaceChildren(el("p", {className: "error", text: t("error", {message: error.message})}));
    }
  }

  function showWithin(answer) {
    const title = (slug) => (config.layers.find((l) => l.slug === slug) || {}).title || slug;
    result.replaceChildren(
      el("h3", {text: t("result_title", {area: ui.formatNumber(Math.round(answer.area_km2 * 10) / 10)})}),
      ...answer.layers.map((layer) => el("div", {className: "within-layer",
                                                  dataset: {layer: layer.slug, count: layer.count}},
        el("div", {}, title(layer.slug), ": ",
           el("span", {className: "count", text: t("count", {count: ui.formatNumber(layer.count)})})),
        el("ul", {className: "within-features"},
           layer.features.map((f) => el("li", {text: f.name || f.id})),
           layer.count > layer.features.length
             ? el("li", {text: t("more", {count: ui.formatNumber(layer.count - layer.features.length)})})
             : null))));
    result.dataset.state = "done";
  }

  // ---- exports of the visible extent ------------------------------------------------------
  function visibleBbox() {
    const b = map.getBounds();
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      .map((v) => v.toFixed(5)).join(",");
  }

  function exportHref(slug, format) {
    const query = new URLSearchParams({format: format, bbox: visibleBbox()});
    return config.export_url.replace("SLUG", encodeURIComponent(slug)) + "?" + query;
  }

  function renderExports() {
    const list = document.getElementById("export-list");
    const briefing = document.getElementById("briefing-link");
    if (!config.may_export) {
      document.getElementById("export-hint").textContent = t("no_export");
      list.replaceChildren();
      briefing.hidden = true;
      return;
    }
    document.getElementById("export-hint").textContent = t("export_hint");
    const checked = config.layers.filter((l) => state.checked.has(l.slug));
    list.replaceChildren(...checked.map((layer) => el("li", {dataset: {layer: layer.slug}},
      el("span", {className: "name", text: layer.title}),
      ...["geojson", "gpkg", "csv"].map((format) => el("a", {
        href: exportHref(layer.slug, format), download: "", dataset: {format: format},
        text: format === "gpkg" ? "GeoPackage" : format.toUpperCase()})))));
    const slugs = checked.filter((l) => !l.units).map((l) => l.slug);
    briefing.hidden = slugs.length === 0;
    briefing.textContent = t("briefing");
    briefing.href = config.briefing_url + "?" + new URLSearchParams(
      {layers: slugs.join(","), bbox: visibleBbox()});
  }

  // ---- start -----------------------------------------------------------------------------
  map.once("load", () => {
    groupStyleLayers();
    const list = document.getElementById("layer-list");
    list.replaceChildren(...config.layers.map(layerItem));
    for (const layer of config.layers) state.checked.add(layer.slug);
    addDrawLayers();
    renderExports();
  });
  map.on("click", onMapClick);
  map.on("moveend", () => { if (state.groups.size) renderExports(); });
  map.on("dataloading", () => { container.dataset.iocState = "loading"; });
  map.on("idle", () => { container.dataset.iocState = "idle"; });
  map.on("error", (event) => {
    const message = event.error ? event.error.message : String(event);
    status.textContent = t("map_error", {message: message});
    console.error("ioc-gis planner:", message);
  });
  buttons.start.addEventListener("click", startDrawing);
  buttons.finish.addEventListener("click", finishDrawing);
  buttons.clear.addEventListener("click", clearDrawing);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.drawing) clearDrawing();
  });

  window.iocPlanner = {state: state, map: map, visibleBbox: visibleBbox};
})();
