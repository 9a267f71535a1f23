/* Leaders' drill-down (/drill/): the province map with a panel of one unit's figures.
 *
 * One state — unit, generation, time window, choropleth layer — drives everything: the URL
 * (?unit=&generation=&since=&until=&layer=, so a view can be shared and Back works), the
 * panel (GET /api/units/{code}/stats/ and /api/drill/units/{code}/incidents/), the choropleth
 * of the unit's children, the units generation drawn, and the time window of every temporal
 * layer's tiles. A filter is applied once and reaches map, counts and lists together.
 * Clicking a child on the map or in the ranking drills in; the breadcrumb goes back up.
 * Raster figures of the unit (GET /api/units/{code}/rasters/: measures such as the people in
 * the flood-hazard zone, and each raster's mean) fill "Dữ liệu raster"; each raster the user
 * may see can be overlaid on the map as our PNG tiles (?rasters=slug,… keeps the choice).
 * Data is only ever rendered as text (iocUi.el). `window.iocDrill` exposes the state and the
 * last answers for the browser tests. */
(function () {
  "use strict";

  const {config, t, el, api, formatNumber, formatDateTime} = window.iocUi;
  const PALETTE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603"];  // 5 classes
  const EMPTY = "rgba(0,0,0,0)";
  const CHOROPLETH = "drill-choropleth";
  const SELECTED = "drill-selected";
  const MIN_CHOROPLETH_ZOOM = {commune: 8, district: 6};  // unit levels appear in tiles from

  const form = document.getElementById("filters");
  const container = document.getElementById("map");
  const status = document.getElementById("panel-status");
  const legend = document.getElementById("legend");
  const map = window.iocMapCreate(container);  // tiles/static/tiles/map-base.js
  const titleOf = (layer) => (config.language === "en" && layer.title_en) || layer.title;

  const state = readState();
  const drill = window.iocDrill = {state: state, stats: null, incidents: null, rasters: null,
                                    loads: 0};
  const RASTERS = config.rasters || [];
  let loading = null;  // AbortController of the load in flight

  // ---- state ⇄ URL and form ------------------------------------------------------------------
  function readState() {
    const query = new URLSearchParams(window.location.search);
    return {
      code: /^[0-9]{2,5}$/.test(query.get("unit") || "") ? query.get("unit") : config.province,
      generation: query.get("generation") === "pre2025" ? "pre2025" : "current",
      since: query.get("since") || "", until: query.get("until") || "",
      layer: query.get("layer") || "",
      rasters: (query.get("rasters") || "").split(",")
        .filter((slug) => (config.rasters || []).some((raster) => raster.slug === slug)),
    };
  }

  function writeUrl(push) {
    const query = new URLSearchParams();
    query.set("unit", state.code);
    if (state.generation !== "current") query.set("generation", state.generation);
    for (const name of ["since", "until", "layer"]) if (state[name]) query.set(name, state[name]);
    if (state.rasters.length) query.set("rasters", state.rasters.join(","));
    const url = window.location.pathname + "?" + query + window.location.hash;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }

  function fillForm() {
    form.generation.value = state.generation;
    form.since.value = state.since;
    form.until.value = state.until;
    if (state.layer) form.layer.value = state.layer;
  }

  function query(extra) {
    const params = new URLSearchParams({generation: state.generation});
    if (state.since) params.set("since", state.since);
    if (state.until) params.set("until", state.until);
    for (const [name, value] of Object.entries(extra || {})) if (value) params.set(name, value);
    return params.toString();
  }

  // ---- loading -------------------------------------------------------------------------------
  async function load(options) {
    if (loading) loading.abort();
    const controller = loading = new AbortController();
    status.textContent = t("loading");
    container.dataset.drillState = "loading";
    try {
      const code = encodeURIComponent(state.code);
      const [stats, incidents, rasters] = await Promise.all([
        api(`/api/units/${code}/stats/?${query({layer: state.layer})}`,
            {signal: controller.signal}),
        config.incidents
          ? api(`/api/drill/units/${code}/incidents/?${query()}`, {signal: controller.signal})
          : Promise.resolve(null),
        RASTERS.length
          ? api(`/api/units/${code}/rasters/?generation=${state.generation}`,
                {signal: controller.signal})
          : Promise.resolve(null),
      ]);
      if (controller !== loading) return;
      drill.stats = stats;
      drill.incidents = incidents;
      drill.rasters = rasters;
      drill.loads += 1;
      if (!state.layer && stats.layers.length) {  // the first load picks a default layer
        state.layer = defaultLayer(stats.layers);
        writeUrl(false);
        return load(options);
      }
      status.textContent = "";
      renderPanel(stats, incidents);
      renderRasters(rasters);
      whenStyled(() => {
        renderMap(stats, options && options.fly);
        // ready once the map has drawn this state (the layers were just replaced: it renders)
        map.once("idle", () => {
          if (controller === loading) container.dataset.drillState = "ready";
        });
      });
    } catch (error) {
      if (error.name === "AbortError") return;
      container.dataset.drillState = "error";
      status.replaceChildren(t("error", {message: error.message}), " ",
        el("button", {type: "button", text: t("retry"), on: {click: () => load({fly: true})}}));
    }
  }

  function defaultLayer(layers) {
    const incidents = layers.find((layer) => layer.slug === "incidents");
    const temporal = layers.find((layer) => layer.temporal);
    return (incidents || temporal || layers[0]).slug;
  }

  function go(code, push) {
    state.code = code;
    writeUrl(push !== false);
    load({fly: true});
  }

  // ---- the panel -------------------------------------------------------------------------------
  function renderPanel(stats, incidents) {
    const unit = stats.unit;
    document.getElementById("unit-name").textContent = unit.name;
    const window_ = stats.since || stats.until
      ? t("window", {since: stats.since || "…", until: stats.until || "…"}) : t("window_all");
    document.getElementById("unit-meta").textContent = [t(unit.level), unit.code, window_,
      unit.approximate ? t("approximate") : ""].filter(Boolean).join(" · ");
    renderBreadcrumb(stats.breadcrumb);
    renderLayerOptions(stats.layers);
    document.getElementById("layers-title").textContent = t("layers_title");
    bars(document.getElementById("layer-counts"), stats.layers.map((layer) => ({
      key: layer.slug, label: titleOf(layer), count: layer.count,
      selected: layer.slug === state.layer})));
    renderIncidents(incidents);
    renderRanking(stats);
  }

  function renderBreadcrumb(chain) {
    const nav = document.getElementById("breadcrumb");
    nav.replaceChildren(...chain.map((unit, index) => {
      const last = index === chain.length - 1;
      const item = last
        ? el("span", {"aria-current": "page", text: unit.name})
        : el("button", {type: "button", className: "link", text: unit.name,
                        dataset: {code: unit.code}, on: {click: () => go(unit.code)}});
      return index ? [el("span", {className: "sep", "aria-hidden": "true", text: " › "}), item]
        : item;
    }).flat());
  }

  function renderLayerOptions(layers) {
    const select = form.layer;
    const current = state.layer;
    select.replaceChildren(...layers.map((layer) =>
      el("option", {value: layer.slug, text: titleOf(layer)})));
    if (current) select.value = current;
  }

  /** A table of horizontal bars: one row per item (label, bar, count). */
  function bars(table, items) {
    const top = Math.max(1, ...items.map((item) => item.count));
    table.replaceChildren(...items.map((item) => el("tr", {
      dataset: {key: item.key}, className: item.selected ? "selected" : ""},
      el("th", {scope: "row", text: item.label}),
      el("td", {className: "bar"}, el("span", {
        className: "fill" + (item.className ? " " + item.className : ""),
        style: `width: ${Math.round(100 * item.count / top)}%`})),
      el("td", {className: "num", text: formatNumber(item.count)}))));
  }

  function renderIncidents(incidents) {
    const section = document.getElementById("incidents");
    section.hidden = !incidents;
    if (!incidents) return;
    document.getElementById("incidents-title").textContent = t("incidents_title");
    document.getElementById("incident-totals").replaceChildren(
      ...[["total", incidents.total], ["open", incidents.open], ["overdue", incidents.overdue]]
        .map(([name, value]) => el("div", {className: "total total-" + name, dataset: {name}},
          el("strong", {text: formatNumber(value)}), el("span", {text: t("incidents_" + name)}))));
    document.getElementById("by-status-title").textContent = t("by_status");
    bars(document.getElementById("by-status"), incidents.by_status.map((row) => ({
      key: row.code, label: row.label, count: row.count, className: "status-" + row.code})));
    document.getElementById("by-category-title").textContent = t("by_category");
    bars(document.getElementById("by-category"), incidents.by_category.map((row) => ({
      key: row.code, label: config.language === "en" ? row.name_en : row.name,
      count: row.count})));
    document.getElementById("recent-title").textContent = t("recent");
    const recent = document.getElementById("recent");
    recent.replaceChildren(...incidents.recent.map((item) => el("li", {dataset: {id: item.id}},
      el("a", {href: `${config.ops_url}?incident=${encodeURIComponent(item.id)}`},
        el("strong", {text: item.id}), " ",
        el("span", {className: "badge status-" + item.status,
                    text: config.statuses[item.status] || item.status})),
      el("span", {className: "title", text: item.title}),
      el("span", {className: "muted",
                  text: (config.categories[item.category] || item.category) + " · " +
                        formatDateTime(item.created_at)}))));
    if (!incidents.recent.length) recent.append(el("li", {className: "muted",
                                                          text: t("no_incidents")}));
  }

  // ---- raster figures and overlays -------------------------------------------------------------
  function rasterTitle(item) {
    return (config.language === "en" && item.title_en) || item.title;
  }

  function rounded(value) {
    return typeof value === "number" ? Math.round(value * 10) / 10 : value;
  }

  function renderRasters(figures) {
    const section = document.getElementById("rasters");
    section.hidden = !RASTERS.length;
    if (!figures) return;
    document.getElementById("rasters-title").textContent = t("rasters_title");
    const english = config.language === "en";
    const measures = figures.measures.map((item) => el("li", {
      className: "measure", dataset: {slug: item.slug}},
      item.value === null
        ? t(item.computed ? "raster_no_data" : "raster_pending", {title: rasterTitle(item)})
        : [rasterTitle(item) + ": ", el("strong", {text: formatNumber(item.value)}), " ",
           (english && item.unit_en) || item.unit]));
    const rasters = figures.rasters.map((item) => el("li", {
      className: "raster", dataset: {slug: item.slug}},
      item.status !== "done" ? t("raster_pending", {title: rasterTitle(item)})
        : item.cells ? t("raster_mean", {title: rasterTitle(item),
                                         value: formatNumber(rounded(item.mean)),
                                         unit: item.value_unit})
          : t("raster_no_data", {title: rasterTitle(item)})));
    document.getElementById("raster-figures").replaceChildren(...measures, ...rasters);
  }

  function renderOverlayList() {
    const list = document.getElementById("raster-overlays");
    list.replaceChildren(...RASTERS.map((raster) => {
      const box = el("input", {type: "checkbox", checked: state.rasters.includes(raster.slug),
                               on: {change: () => toggleOverlay(raster.slug, box.checked)}});
      const ramp = el("span", {className: "ramp", title: raster.value_unit},
        ...raster.legend.map((stop) => el("span", {style: `background: ${stop.colour}`,
                                                   title: `${stop.value} ${raster.value_unit}`})));
      return el("li", {dataset: {slug: raster.slug}},
        el("label", {}, box, " ", t("raster_overlay") + ": " + rasterTitle(raster)), ramp);
    }));
  }

  const overlayId = (slug) => "raster-overlay-" + slug;

  function showOverlay(raster) {
    if (map.getLayer(overlayId(raster.slug))) return;
    if (!map.getSource(overlayId(raster.slug))) {
      map.addSource(overlayId(raster.slug), {
        type: "raster", tileSize: 256, bounds: raster.bounds, maxzoom: raster.maxzoom,
        tiles: [new URL(raster.tiles, window.location.href).href.replace(/%7B/g, "{")
                  .replace(/%7D/g, "}")],
        attribution: raster.attribution});
    }
    map.addLayer({id: overlayId(raster.slug), type: "raster", source: overlayId(raster.slug),
                  paint: {"raster-opacity": 0.75}}, firstOverlayLayer());
  }

  function toggleOverlay(slug, on) {
    state.rasters = on ? [...new Set([...state.rasters, slug])]
      : state.rasters.filter((item) => item !== slug);
    writeUrl(false);
    whenStyled(applyOverlays);
  }

  function applyOverlays() {
    for (const raster of RASTERS) {
      if (state.rasters.includes(raster.slug)) showOverlay(raster);
      else if (map.getLayer(overlayId(raster.slug))) map.removeLayer(overlayId(raster.slug));
    }
  }

  function renderRanking(stats) {
    const choropleth = stats.choropleth;
    const layer = stats.layers.find((item) => item.slug === state.layer);
    document.getElementById("children-title").textContent =
      t("children_title", {layer: layer ? titleOf(layer) : state.layer});
    const ranking = document.getElementById("ranking");
    const units = choropleth ? [...choropleth.units].sort((a, b) =>
      b.count - a.count || a.name.localeCompare(b.name, "vi")) : [];
    ranking.replaceChildren(...units.map((unit) => el("li", {dataset: {code: unit.code}},
      el("button", {type: "button", className: "link", title: t("open_unit", {name: unit.name}),
                    text: unit.name, on: {click: () => go(unit.code)}}),
      el("span", {className: "num", text: formatNumber(unit.count)}))));
    if (!units.length) ranking.append(el("li", {className: "muted", text: t("no_children")}));
  }

  // ---- the map ---------------------------------------------------------------------------------
  function whenStyled(callback) {
    if (map.isStyleLoaded() && map.getSource(config.units_source)) callback();
    else map.once("idle", () => whenStyled(callback));
  }

  /** Classes of the non-zero counts: upper bounds at the quintiles and the maximum, without
   *  repeats (few distinct counts give fewer classes), each with a colour of the palette. */
  function classes(units) {
    const values = units.map((unit) => unit.count).filter((n) => n > 0).sort((a, b) => a - b);
    if (!values.length) return {bounds: [], colours: [], colour: () => EMPTY};
    const quantiles = [1, 2, 3, 4].map((k) => values[Math.floor(k * values.length / 5)]);
    const bounds = [...new Set([...quantiles, values[values.length - 1]])]
      .filter((value) => value !== undefined).sort((a, b) => a - b);
    const colours = bounds.map((_, index) => PALETTE[bounds.length === 1 ? PALETTE.length - 1
      : Math.round(index * (PALETTE.length - 1) / (bounds.length - 1))]);
    const colour = (count) => {
      if (count <= 0) return EMPTY;
      const index = bounds.findIndex((bound) => count <= bound);
      return colours[index < 0 ? colours.length - 1 : index];
    };
    return {bounds, colours, colour};
  }

  function setUnitsGeneration() {
    const source = map.getSource(config.units_source);
    if (!source || !Array.isArray(source.tiles)) return;
    const day = config.generations[state.generation];
    const tiles = source.tiles.map((url) => withParams(url, {date: day}));
    window.iocSetTiles(map, config.units_source, tiles);
  }

  /** Temporal layers draw the same window as the counts (`until` is a whole local day). */
  function setTimeWindow(layers) {
    const until = state.until ? nextDay(state.until) : null;
    for (const layer of layers.filter((item) => item.temporal)) {
      const source = map.getSource(layer.slug);
      if (!source || !Array.isArray(source.tiles)) continue;
      const tiles = source.tiles.map((url) => withParams(url, {since: state.since || null,
                                                                 until: until}));
      window.iocSetTiles(map, layer.slug, tiles);
    }
  }

  function nextDay(day) {
    const moment = new Date(day + "T00:00:00Z");
    moment.setUTCDate(moment.getUTCDate() + 1);
    return moment.toISOString().slice(0, 10);
  }

  /** `url` with the given query parameters set (null removes one); {z}/{x}/{y} kept as is. */
  function withParams(url, params) {
    const at = url.indexOf("?");
    const path = at < 0 ? url : url.slice(0, at);
    const query = new URLSearchParams(at < 0 ? "" : url.slice(at + 1));
    for (const [name, value] of Object.entries(params)) {
      if (value) query.set(name, value); else query.delete(name);
    }
    const text = query.toString();
    return text ? path + "?" + text : path;
  }

  function renderMap(stats, fly) {
    setUnitsGeneration();
    setTimeWindow(stats.layers);
    const choropleth = stats.choropleth;
    const level = choropleth && choropleth.level;
    const units = (choropleth && choropleth.units) || [];
    const scale = classes(units);
    const colour = scale.colour;
    const colours = units.flatMap((unit) => [unit.code, colour(unit.count)]);
    const fill = colours.length ? ["match", ["get", "code"], ...colours, EMPTY] : EMPTY;
    const codes = units.map((unit) => unit.code);
    for (const id of [CHOROPLETH, SELECTED]) if (map.getLayer(id)) map.removeLayer(id);
    const below = firstOverlayLayer();
    if (level) {
      map.addLayer({id: CHOROPLETH, type: "fill", source: config.units_source,
                    "source-layer": level, filter: ["in", ["get", "code"], ["literal", codes]],
                    paint: {"fill-color": fill, "fill-opacity": 0.75,
                            "fill-outline-color": "#7f2704"}}, below);
    }
    map.addLayer({id: SELECTED, type: "line", source: config.units_source,
                  "source-layer": stats.unit.level, filter: ["==", ["get", "code"], stats.unit.code],
                  paint: {"line-color": "#0b5cad", "line-width": 3.5}}, below);
    renderLegend(stats, scale);
    if (fly) {
      const [west, south, east, north] = stats.unit.bbox;
      const minZoom = level ? MIN_CHOROPLETH_ZOOM[level] || 0 : 0;
      const camera = map.cameraForBounds([[west, south], [east, north]], {padding: 30});
      if (camera) {
        camera.zoom = Math.max(camera.zoom, minZoom);
        map.flyTo({...camera, essential: true, duration: 800});
      }
    }
  }

  /** The choropleth goes under the sector layers (points stay on top), above the basemap. */
  function firstOverlayLayer() {
    const units = config.units_source;
    const layers = map.getStyle().layers;
    const lastUnit = layers.map((layer) => layer.source).lastIndexOf(units);
    const next = layers[lastUnit + 1];
    return next ? next.id : undefined;
  }

  /** One row per class: its colour and the counts it covers ("3–7"; one value alone). */
  function renderLegend(stats, scale) {
    const layer = stats.layers.find((item) => item.slug === state.layer);
    if (!stats.choropleth || !scale.bounds.length) {
      legend.hidden = true;
      return;
    }
    const rows = scale.bounds.map((upper, index) => {
      const lower = index ? scale.bounds[index - 1] + 1 : 1;
      const text = lower === upper ? formatNumber(upper)
        : `${formatNumber(lower)}–${formatNumber(upper)}`;
      return el("div", {className: "legend-row"},
        el("span", {className: "swatch", style: `background: ${scale.colours[index]}`}),
        el("span", {text: text}));
    });
    legend.replaceChildren(el("strong", {text: t("legend_title", {layer: layer ? titleOf(layer)
                                                                             : state.layer})}),
                           ...rows);
    legend.hidden = false;
  }

  map.on("click", CHOROPLETH, (event) => {
    const feature = event.features && event.features[0];
    if (feature && feature.properties.code) go(String(feature.properties.code));
  });
  map.on("mouseenter", CHOROPLETH, () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", CHOROPLETH, () => { map.getCanvas().style.cursor = ""; });
  map.on("dataloading", () => { container.dataset.iocState = "loading"; });
  map.on("idle", () => { container.dataset.iocState = "idle"; });
  map.on("error", (event) => {
    console.error("ioc-gis drill-down map:", event.error ? event.error.message : event);
  });

  // ---- filters and search ----------------------------------------------------------------------
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const since = form.since.value;
    const until = form.until.value;
    if (since && until && since > until) {
      form.until.setCustomValidity(t("error", {message: "since > until"}));
      form.until.reportValidity();
      return;
    }
    form.until.setCustomValidity("");
    Object.assign(state, {generation: form.generation.value, since, until,
                          layer: form.layer.value});
    if (state.generation !== drill.stats?.unit.generation) state.code = config.province;
    writeUrl(true);
    load({fly: true});
  });
  form.layer.addEventListener("change", () => form.requestSubmit());
  form.generation.addEventListener("change", () => form.requestSubmit());
  document.getElementById("filters-reset").addEventListener("click", () => {
    Object.assign(state, {since: "", until: ""});
    fillForm();
    writeUrl(true);
    load({fly: false});
  });

  const search = document.getElementById("unit-search");
  const results = document.getElementById("search-results");
  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(findUnits, 250);
  });

  async function findUnits() {
    const text = search.value.trim();
    if (text.length < 2) {
      results.replaceChildren();
      return;
    }
    const date = config.generations[state.generation];
    const params = new URLSearchParams({q: text});
    if (date) params.set("date", date);
    try {
      const found = await api(`/api/units/?${params}`);
      const units = (found.results || found.features || found).slice(0, 8);
      results.replaceChildren(...units.map((unit) => {
        const props = unit.properties || unit;
        return el("li", {}, el("button", {type: "button", className: "link",
          dataset: {code: props.code}, text: `${props.name} (${t(props.level.toLowerCase())})`,
          on: {click: () => { results.replaceChildren(); search.value = ""; go(props.code); }}}));
      }));
      if (!units.length) results.append(el("li", {className: "muted", text: t("nothing_found")}));
    } catch (error) {
      results.replaceChildren(el("li", {className: "muted", text: t("error",
                                                                    {message: error.message})}));
    }
  }

  window.addEventListener("popstate", () => {
    Object.assign(state, readState());
    fillForm();
    renderOverlayList();
    whenStyled(applyOverlays);
    load({fly: true});
  });

  fillForm();
  writeUrl(false);
  renderOverlayList();
  whenStyled(applyOverlays);
  load({fly: true});
})();
