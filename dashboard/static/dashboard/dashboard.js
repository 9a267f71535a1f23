/* The strategic dashboard (/dashboard/).
 *
 * One state — unit, generation, period, sector, KPI (and the hotspot layer) — lives in the URL
 * (?unit=&generation=&period=&sector=&kpi=&hotspots=1: a view can be shared, Back works) and
 * reaches everything at once:
 *  - the cards: GET /api/kpi/summary/ (every KPI of the sector for the unit, as of the period);
 *  - the map and the ranking: GET /api/dashboard/kpi/{kpi}/units/ (the KPI over the unit's
 *    children in the period its card shows), drawn on our unit tiles by a match on the code;
 *  - the chart: GET /api/kpi/{kpi}/values/ up to the period, with the forecast of
 *    GET /api/insights/forecast/ when there is one;
 *  - "Cần chú ý": GET /api/insights/attention/ (a 404: that part is not installed: "chưa có");
 *  - "Xem hồ sơ": GET /api/dashboard/kpi/{kpi}/records/ for computed KPIs;
 *  - the hotspots: GET /api/hotspots/ over the period's days (incident sectors).
 * Clicking a card picks its KPI; clicking a unit on the map or in the ranking drills in; the
 * breadcrumb goes back up. Data is only ever rendered as text (iocUi.el, iocCharts).
 * `window.iocDashboard` exposes the state and the last answers for the browser tests. */
(function () {
  "use strict";

  const {config, t, el, api, formatNumber} = window.iocUi;
  const charts = window.iocCharts;
  const english = config.language === "en";
  const CHOROPLETH = "dash-choropleth", OUTLINE = "dash-selected", HOTSPOTS = "dash-hotspots";
  const OWN = new Set([CHOROPLETH, OUTLINE, HOTSPOTS]);
  const MIN_ZOOM = {commune: 8, district: 6};
  const HOT_COLOURS = {hot_99: "#b2182b", hot_95: "#ef8a62", hot_90: "#fddbc7",
                       cold_99: "#2166ac", cold_95: "#67a9cf", cold_90: "#d1e5f0",
                       not_significant: "rgba(0,0,0,0)"};

  const form = document.getElementById("filters");
  const container = document.getElementById("map");
  const status = document.getElementById("status");
  const map = window.iocMapCreate(container);  // tiles/static/tiles/map-base.js
  const state = readState();
  const dash = window.iocDashboard = {state, summary: null, across: null, series: null,
                                      forecast: null, attention: null, records: null,
                                      hotspots: null, loads: 0};
  let loading = null;  // AbortController of the load in flight

  // ---- state ⇄ URL and form --------------------------------------------------------------------
  function readState() {
    const query = new URLSearchParams(window.location.search);
    const sectors = config.sectors.map((s) => s[0]);
    return {
      unit: /^[0-9]{2,5}$/.test(query.get("unit") || "") ? query.get("unit") : config.home,
      generation: query.get("generation") === "pre2025" ? "pre2025" : "current",
      period: config.periods.some((p) => p[0] === query.get("period")) ? query.get("period") : "",
      sector: sectors.includes(query.get("sector")) ? query.get("sector") : "",
      kpi: /^[a-z][a-z0-9-]{1,62}$/.test(query.get("kpi") || "") ? query.get("kpi") : "",
      hotspots: query.get("hotspots") === "1",
    };
  }

  function stateQuery(withKpi) {
    const query = new URLSearchParams();
    query.set("unit", state.unit);
    if (state.generation !== "current") query.set("generation", state.generation);
    for (const name of ["period", "sector"]) if (state[name]) query.set(name, state[name]);
    if (withKpi && state.kpi) query.set("kpi", state.kpi);
    return query;
  }

  function writeUrl(push) {
    const query = stateQuery(true);
    if (state.hotspots) query.set("hotspots", "1");
    const url = window.location.pathname + "?" + query + window.location.hash;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
    updateBriefingLinks();
  }

  function fillForm() {
    form.generation.value = state.generation;
    form.period.value = state.period;
    form.sector.value = state.sector;
    form.hotspots.checked = state.hotspots;
  }

  const kpiUrl = (template, code) => template.replace("KPI", encodeURIComponent(code));
  const nameOf = (item) => (english && item.name_en) || item.name;
  const unitOf = (item) => (english && item.unit_en) || item.unit;

  function numberFormat(decimals) {
    const digits = Math.max(0, Math.min(decimals || 0, 6));
    const format = new Intl.NumberFormat(window.iocUi.locale,
      {minimumFractionDigits: digits, maximumFractionDigits: digits});
    return (value) => typeof value === "number" && isFinite(value) ? format.format(value) : "–";
  }

  // ---- loading ---------------------------------------------------------------------------------
  /** Everything for the state: the cards first (they decide the KPI), then the rest at once. */
  async function load() {
    if (loading) loading.abort();
    const controller = loading = new AbortController();
    const signal = controller.signal;
    status.textContent = t("loading");
    container.dataset.dashState = "loading";
    try {
      const query = stateQuery(false);
      const summary = await api(`${config.api.summary}?${query}`, {signal});
      if (controller !== loading) return;
      dash.summary = summary;
      renderCards(summary);
      const codes = summary.cards.map((card) => card.code);
      if (!codes.includes(state.kpi)) {
        state.kpi = defaultKpi(summary.cards);
        writeUrl(false);
      }
      renderKpiOptions(summary.cards);
      await loadKpi(controller);
    } catch (error) {
      if (error.name === "AbortError") return;
      failed(error);
    }
  }

  function failed(error) {
    container.dataset.dashState = "error";
    status.replaceChildren(t("error", {message: error.message}), " ",
      el("button", {type: "button", text: t("retry"), on: {click: () => load()}}));
  }

  function defaultKpi(cards) {
    for (const wanted of ["red", "amber", "green"]) {
      const card = cards.find((item) => item.status === wanted && item.latest);
      if (card) return card.code;
    }
    return cards.length ? cards[0].code : "";
  }

  /** The chosen KPI's map, ranking, chart, forecast, attention list and hotspots. */
  async function loadKpi(controller) {
    const signal = controller.signal;
    if (!state.kpi) {
      status.textContent = t("no_cards");
      container.dataset.dashState = "ready";
      return;
    }
    const query = stateQuery(false);
    const valuesQuery = new URLSearchParams({unit: state.unit, generation: state.generation});
    if (state.period) valuesQuery.set("until", state.period);
    const forecastQuery = new URLSearchParams({kpi: state.kpi, unit: state.unit,
                                               generation: state.generation,
                                               horizon: config.horizon});
    const attentionQuery = new URLSearchParams({unit: state.unit, generation: state.generation});
    if (state.sector) attentionQuery.set("sector", state.sector);
    const [across, series, forecast, attention] = await Promise.all([
      api(`${kpiUrl(config.api.units, state.kpi)}?${query}`, {signal}),
      api(`${kpiUrl(config.api.values, state.kpi)}?${valuesQuery}`, {signal}),
      optional(`${config.api.forecast}?${forecastQuery}`, signal),
      optional(`${config.api.attention}?${attentionQuery}`, signal),
    ]);
    if (controller !== loading) return;
    Object.assign(dash, {across, series, forecast, attention, records: null});
    dash.loads += 1;
    status.textContent = "";
    renderSelected(across);
    renderBreadcrumb(across.breadcrumb);
    renderRanking(across);
    renderChart(across, series, forecast);
    renderAttention(attention);
    renderRecordsButton(across);
    await loadHotspots(across, signal);
    if (controller !== loading) return;
    whenStyled(() => {
      renderMap(across);
      map.once("idle", () => {
        if (controller === loading) container.dataset.dashState = "ready";
      });
      map.triggerRepaint();
    });
  }

  /** An answer of a part that may be missing or failing (insights not installed: 404; no
   *  right to incidents: 403; a server error): {unavailable} instead, so the cards, the map
   *  and the chart still show and the part says "chưa có". */
  async function optional(url, signal) {
    try {
      return await api(url, {signal});
    } catch (error) {
      if (error.name === "AbortError") throw error;
      console.warn("ioc-gis dashboard: " + url + " unavailable:", error.message);
      return {unavailable: error.status || "network", message: error.message};
    }
  }

  // ---- the cards -------------------------------------------------------------------------------
  function renderCards(summary) {
    const holder = document.getElementById("cards");
    const groups = new Map();
    for (const card of summary.cards) {
      if (!groups.has(card.sector)) groups.set(card.sector, []);
      groups.get(card.sector).push(card);
    }
    const sectorName = new Map(config.sectors);
    const order = config.sectors.map((s) => s[0]);
    const sorted = [...groups].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
    holder.replaceChildren(...sorted.map(([sector, cards]) => el("section", {
      className: "sector", dataset: {sector}},
      el("h2", {text: sectorName.get(sector) || sector}),
      el("div", {className: "card-grid"}, ...cards.map(cardNode)))));
    if (!summary.cards.length) holder.append(el("p", {className: "muted", text: t("no_cards")}));
    document.getElementById("unit-name").textContent = summary.unit.name;
    document.getElementById("unit-meta").textContent = [config.levels[summary.unit.level],
      summary.unit.code, config.generation_names[state.generation]].join(" · ");
  }

  function cardNode(card) {
    const format = numberFormat(card.decimals);
    const latest = card.latest;
    const trend = card.trend || {};
    const trendClass = trend.good === true ? "good" : trend.good === false ? "bad" : "flat";
    const arrow = {up: "↑", down: "↓", flat: "→"}[trend.arrow] || "";
    const change = typeof trend.change_pct === "number"
      ? (trend.change_pct > 0 ? "+" : "") + numberFormat(1)(trend.change_pct) + " %" : "";
    return el("button", {
      type: "button", className: `card status-${card.status}` +
        (card.code === state.kpi ? " selected" : ""),
      dataset: {kpi: card.code, status: card.status}, "aria-pressed": String(card.code === state.kpi),
      on: {click: () => pickKpi(card.code)}},
      el("span", {className: "card-name", text: nameOf(card)}),
      el("span", {className: "card-value"},
        el("strong", {text: latest ? format(latest.value) : "–"}), " ",
        el("span", {className: "card-unit", text: unitOf(card)})),
      el("span", {className: "card-target", text: latest && latest.target !== null
        ? t("target", {target: format(latest.target)}) : t(latest ? "no_target" : "no_value")}),
      el("span", {className: "card-foot"},
        el("span", {className: "status-dot", title: config.statuses[card.status]}),
        el("span", {className: "status-label", text: config.statuses[card.status]}),
        arrow ? el("span", {className: "trend trend-" + trendClass,
                            title: t("trend_" + (trend.good === true ? "good"
                              : trend.good === false ? "bad" : "flat")),
                            text: `${arrow} ${change}`}) : null,
        el("span", {className: "card-period", text: latest ? latest.period : ""})),
      charts.sparkline(card.sparkline.map((p) => p.value)));
  }

  function renderKpiOptions(cards) {
    form.kpi.replaceChildren(...cards.map((card) =>
      el("option", {value: card.code, text: nameOf(card)})));
    form.kpi.value = state.kpi;
  }

  function pickKpi(code) {
    if (code === state.kpi) return;
    state.kpi = code;
    writeUrl(true);
    for (const card of document.querySelectorAll("#cards .card")) {
      card.classList.toggle("selected", card.dataset.kpi === code);
      card.setAttribute("aria-pressed", String(card.dataset.kpi === code));
    }
    form.kpi.value = code;
    reloadKpi();
  }

  function reloadKpi() {
    if (loading) loading.abort();
    const controller = loading = new AbortController();
    container.dataset.dashState = "loading";
    loadKpi(controller).catch((error) => { if (error.name !== "AbortError") failed(error); });
  }

  // ---- the chosen KPI --------------------------------------------------------------------------
  function renderSelected(across) {
    const format = numberFormat(across.kpi.decimals);
    document.getElementById("selected-title").textContent = t("selected_title", {
      kpi: nameOf(across.kpi), unit: across.unit.name, period: across.period.label});
    const own = across.own;
    document.getElementById("selected-value").replaceChildren(
      el("strong", {text: format(own.value)}), " ", unitOf(across.kpi), " · ",
      el("span", {className: "badge-status status-" + own.status,
                  text: config.statuses[own.status]}),
      own.target !== null ? " · " + t("target", {target: format(own.target)}) : "");
  }

  function go(code, push) {
    state.unit = code;
    writeUrl(push !== false);
    load();
  }

  function renderBreadcrumb(chain) {
    const nav = document.getElementById("breadcrumb");
    nav.replaceChildren(...chain.map((unit, index) => {
      const last = index === chain.length - 1;
      const item = last ? el("span", {"aria-current": "page", text: unit.name})
        : el("button", {type: "button", className: "link", text: unit.name,
                        dataset: {code: unit.code}, on: {click: () => go(unit.code)}});
      return index ? [el("span", {className: "sep", "aria-hidden": "true", text: " › "}), item]
        : item;
    }).flat());
  }

  function renderRanking(across) {
    const format = numberFormat(across.kpi.decimals);
    const level = across.level ? config.levels[across.level] : "";
    document.getElementById("ranking-title").textContent = t("ranking_title", {level});
    const list = document.getElementById("ranking");
    list.replaceChildren(...across.units.map((unit) => el("li", {
      dataset: {code: unit.code, status: unit.status}},
      el("span", {className: "rank", text: unit.rank === null ? "–" : String(unit.rank)}),
      el("button", {type: "button", className: "link", title: t("open_unit", {name: unit.name}),
                    text: unit.name, on: {click: () => go(unit.code)}}),
      el("span", {className: "status-dot status-" + unit.status,
                  title: config.statuses[unit.status]}),
      el("span", {className: "num", text: format(unit.value)}))));
    if (!across.units.length) list.append(el("li", {className: "muted", text: t("no_children")}));
  }

  /** The series up to its last value, the target, and the forecast when it starts right after
   *  that value (a forecast is made from the latest data: an older period shows none). */
  function renderChart(across, series, forecast) {
    const format = numberFormat(across.kpi.decimals);
    const title = t("chart_title", {kpi: nameOf(across.kpi)});
    const points = series.periods.map((p) => ({label: p.period, value: p.value,
                                               target: p.target}));
    while (points.length && points[points.length - 1].value === null) points.pop();
    const usable = forecast && !forecast.unavailable && (forecast.points || []).length > 0;
    const aligned = usable && points.length > 0 &&
      forecast.based_on_last_period === points[points.length - 1].label;
    document.getElementById("chart-title").textContent = title;
    const box = document.getElementById("chart");
    box.replaceChildren(charts.seriesChart({
      points, forecast: aligned ? forecast.points : [], title, format,
      width: Math.max(320, Math.round(box.clientWidth || 640)), height: 230}));
    const notes = [t("chart_legend")];
    const mape = document.getElementById("mape");
    if (aligned) {
      notes.push(t("forecast_legend", {model: forecast.model_label || forecast.model}));
      mape.textContent = typeof forecast.mape === "number"
        ? t("mape", {metric: forecast.metric === "sMAPE" ? "sMAPE" : "MAPE",
                     mape: numberFormat(1)(forecast.mape)}) : "";
    } else {
      mape.textContent = usable ? t("forecast_latest_only")
        : (forecast && forecast.reason) || t("forecast_none");
    }
    document.getElementById("chart-note").textContent = notes.join(" · ");
  }

  /** Mann–Kendall's tau and p with the Theil–Sen slope of a trend; a streak's periods. */
  function evidenceText(item) {
    const evidence = item.evidence || {};
    if (item.kind === "STREAK") {
      const spans = evidence.periods || [];
      const text = t("streak", {n: evidence.length || spans.length});
      return spans.length ? `${text}: ${spans[0]} → ${spans[spans.length - 1]}` : text;
    }
    const parts = [];
    if (typeof evidence.tau === "number") parts.push(`tau = ${numberFormat(2)(evidence.tau)}`);
    if (typeof evidence.p === "number") parts.push(`p = ${Number(evidence.p.toPrecision(2))}`);
    if (typeof evidence.slope === "number") {
      parts.push(t("slope", {slope: Number(evidence.slope.toPrecision(3))}));
    }
    if (typeof evidence.change_pct === "number") {
      parts.push(t("change", {change: (evidence.change_pct > 0 ? "+" : "") +
                                      numberFormat(1)(evidence.change_pct) + " %"}));
    }
    return parts.join("; ");
  }

  function renderAttention(answer) {
    const list = document.getElementById("attention");
    const note = document.getElementById("attention-note");
    if (!answer || answer.unavailable) {
      list.replaceChildren();
      note.textContent = t("attention_unavailable");
      return;
    }
    const items = answer.results || [];
    note.textContent = items.length ? "" : t("attention_none");
    list.replaceChildren(...items.map((item) => el("li", {
      dataset: {kpi: item.kpi.code, kind: item.kind}},
      el("button", {type: "button", className: "link", text: nameOf(item.kpi),
                    on: {click: () => {
                      if (item.unit && item.unit.code !== state.unit) {
                        state.unit = item.unit.code;
                        state.kpi = item.kpi.code;
                        writeUrl(true);
                        load();
                      } else pickKpi(item.kpi.code);
                    }}}),
      el("span", {className: "muted", text: [item.unit && item.unit.name, item.kind_label ||
        item.kind, item.since ? t("attention_since", {since: item.since}) : ""]
        .filter(Boolean).join(" · ")}),
      el("span", {className: "evidence", text: evidenceText(item)}))));
  }

  // ---- the records behind a computed KPI -------------------------------------------------------
  function renderRecordsButton(across) {
    const button = document.getElementById("records-button");
    const section = document.getElementById("records");
    section.hidden = true;
    button.hidden = !across.kpi.has_records;
    button.textContent = t("records_button");
  }

  async function loadRecords() {
    const across = dash.across;
    const query = new URLSearchParams({unit: state.unit, generation: state.generation,
                                       period: across.period.label});
    const section = document.getElementById("records");
    const list = document.getElementById("records-list");
    section.hidden = false;
    document.getElementById("records-title").textContent = t("records_title", {
      kpi: nameOf(across.kpi), unit: across.unit.name, period: across.period.label});
    list.replaceChildren(el("li", {className: "muted", text: t("loading")}));
    try {
      const records = dash.records = await api(`${kpiUrl(config.api.records, state.kpi)}?${query}`);
      const format = numberFormat(across.kpi.decimals);
      document.getElementById("records-count").textContent = t("records_count", {
        shown: formatNumber(records.shown), total: formatNumber(records.total),
        value: format(records.figure.value)});
      list.replaceChildren(...records.results.map((row) => records.kind === "incidents"
        ? incidentItem(row) : featureItem(row)));
      if (!records.results.length) list.append(el("li", {className: "muted",
                                                         text: t("records_none")}));
    } catch (error) {
      list.replaceChildren(el("li", {className: "muted", text: error.code ===
        "records_not_available" ? t("records_not_available")
        : t("error", {message: error.message})}));
    }
  }

  function incidentItem(row) {
    const when = window.iocUi.formatDateTime(row.resolved_at || row.created_at);
    return el("li", {dataset: {id: row.id}},
      el("a", {href: `${config.ops_url}?incident=${encodeURIComponent(row.id)}`},
        el("strong", {text: row.id})), " ",
      el("span", {className: "badge status-" + row.status, text: row.status_label}), " ",
      row.on_time === null ? "" : el("span", {className: row.on_time ? "on-time" : "late",
                                              text: t(row.on_time ? "on_time" : "late")}),
      el("span", {className: "title", text: row.title}),
      el("span", {className: "muted", text: ((english && row.category_name_en) ||
        row.category_name) + " · " + when}));
  }

  function featureItem(row) {
    const props = row.properties || {};
    const label = props.name || props.title || props.incident_type || "";
    return el("li", {dataset: {id: row.id}},
      el("strong", {text: row.id}), " ", el("span", {text: String(label)}),
      el("span", {className: "muted",
                  text: window.iocUi.formatDateTime(row.observed_at) + " · " +
                        (row.commune_code || "")}));
  }

  // ---- hotspots --------------------------------------------------------------------------------
  function hotspotsOffered() {
    return config.incidents && (!state.sector || config.hotspot_sectors.includes(state.sector));
  }

  async function loadHotspots(across, signal) {
    const section = document.getElementById("hotspots");
    form.hotspots.closest("label").hidden = !hotspotsOffered();
    dash.hotspots = null;
    if (!state.hotspots || !hotspotsOffered()) {
      section.hidden = true;
      return;
    }
    const until = new Date(across.period.end + "T00:00:00Z");
    until.setUTCDate(until.getUTCDate() - 1);
    const query = new URLSearchParams({since: across.period.start,
                                       until: until.toISOString().slice(0, 10)});
    if (state.sector) query.set("sector", state.sector);
    const answer = await optional(`${config.api.hotspots}?${query}`, signal);
    dash.hotspots = answer;
    section.hidden = false;
    const list = document.getElementById("hotspot-list");
    if (!answer || answer.unavailable) {
      list.replaceChildren(el("li", {className: "muted", text: answer ? answer.message : ""}));
      return;
    }
    const summary = answer.summary || {};
    document.getElementById("hotspots-meta").textContent = t("hotspots_window", {
      since: summary.since, until: summary.until});
    const top = (summary.top || []).filter((cell) => String(cell.class).startsWith("hot"));
    list.replaceChildren(...top.map((cell) => el("li", {dataset: {cell: cell.id}},
      el("span", {className: "swatch", style: `background: ${HOT_COLOURS[cell.class]}`}),
      t("hotspots_cell", {commune: cell.commune || "–", count: formatNumber(cell.count),
                          z: numberFormat(2)(cell.z)}))));
    if (!top.length) list.append(el("li", {className: "muted", text: t("hotspots_none")}));
  }

  // ---- the map ---------------------------------------------------------------------------------
  function whenStyled(callback) {
    if (map.isStyleLoaded() && map.getSource(config.units_source)) callback();
    else map.once("idle", () => whenStyled(callback));
  }

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

  function setUnitsGeneration() {
    const source = map.getSource(config.units_source);
    if (!source || !Array.isArray(source.tiles)) return;
    const day = config.generations[state.generation];
    const tiles = source.tiles.map((url) => withParams(url, {date: day}));
    window.iocSetTiles(map, config.units_source, tiles);
  }

  /** The choropleth goes under the sector layers (points stay on top), above the basemap. */
  function firstOverlayLayer() {
    const layers = map.getStyle().layers;
    const lastUnit = layers.map((layer) => layer.source).lastIndexOf(config.units_source);
    const next = layers[lastUnit + 1];
    return next ? next.id : undefined;
  }

  /** The dashboard's map shows units, not sector features: every layer of the style that is
   *  not the basemap or the units is hidden (our own layers are added after). */
  function hideSectorLayers() {
    for (const layer of map.getStyle().layers) {
      const source = layer.source;
      if (!source || source === config.units_source || source === config.basemap_source ||
          OWN.has(layer.id)) continue;
      if (map.getLayoutProperty(layer.id, "visibility") !== "none") {
        map.setLayoutProperty(layer.id, "visibility", "none");
      }
    }
  }

  function renderMap(across) {
    hideSectorLayers();
    setUnitsGeneration();
    const values = across.units.map((unit) => unit.value);
    const scale = dash.scale = charts.classes(values);
    const colours = across.units.flatMap((unit) => [unit.code, scale.colour(unit.value)]);
    const codes = across.units.map((unit) => unit.code);
    for (const id of [CHOROPLETH, OUTLINE]) if (map.getLayer(id)) map.removeLayer(id);
    const below = firstOverlayLayer();
    if (across.level && codes.length) {
      map.addLayer({id: CHOROPLETH, type: "fill", source: config.units_source,
                    "source-layer": across.level,
                    filter: ["in", ["get", "code"], ["literal", codes]],
                    paint: {"fill-color": ["match", ["get", "code"], ...colours, charts.NO_VALUE],
                            "fill-opacity": 0.8, "fill-outline-color": "#4a4a4a"}}, below);
    }
    map.addLayer({id: OUTLINE, type: "line", source: config.units_source,
                  "source-layer": across.unit.level,
                  filter: ["==", ["get", "code"], across.unit.code],
                  paint: {"line-color": "#0d2a47", "line-width": 3}}, below);
    renderHotspotLayer();
    renderLegend(across, scale);
    if (across.bbox) {
      const [west, south, east, north] = across.bbox;
      const camera = map.cameraForBounds([[west, south], [east, north]], {padding: 20});
      if (camera) {
        camera.zoom = Math.max(camera.zoom, across.level ? MIN_ZOOM[across.level] || 0 : 0);
        map.jumpTo(camera);
      }
    }
  }

  function renderHotspotLayer() {
    if (map.getLayer(HOTSPOTS)) map.removeLayer(HOTSPOTS);
    if (map.getSource(HOTSPOTS)) map.removeSource(HOTSPOTS);
    const answer = dash.hotspots;
    if (!answer || answer.unavailable || !answer.features) return;
    map.addSource(HOTSPOTS, {type: "geojson", data: {type: "FeatureCollection",
                                                      features: answer.features}});
    map.addLayer({id: HOTSPOTS, type: "fill", source: HOTSPOTS,
                  paint: {"fill-color": ["match", ["get", "class"],
                                         ...Object.entries(HOT_COLOURS).flat(), "rgba(0,0,0,0)"],
                          "fill-opacity": 0.7, "fill-outline-color": "#7f0000"}});
  }

  function renderLegend(across, scale) {
    const legend = document.getElementById("legend");
    const format = numberFormat(across.kpi.decimals);
    const level = across.level ? config.levels[across.level] : config.levels[across.unit.level];
    const rows = scale.bounds.map((upper, index) => {
      const lower = format(index ? scale.bounds[index - 1] : scale.low);
      return el("div", {className: "legend-row"},
        el("span", {className: "swatch", style: `background: ${scale.colours[index]}`}),
        el("span", {text: lower === format(upper) ? lower : `${lower} – ${format(upper)}`}));
    });
    if (across.units.some((unit) => unit.value === null)) {
      rows.push(el("div", {className: "legend-row"},
        el("span", {className: "swatch", style: `background: ${charts.NO_VALUE}`}),
        el("span", {text: t("legend_no_value")})));
    }
    legend.replaceChildren(el("strong", {text: t("map_title", {kpi: nameOf(across.kpi),
                                                               level: level,
                                                               period: across.period.label})}),
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
    console.error("ioc-gis dashboard map:", event.error ? event.error.message : event);
  });

  // ---- filters, briefing -----------------------------------------------------------------------
  function updateBriefingLinks() {
    const query = stateQuery(true);
    const html = document.getElementById("briefing-html");
    const pdf = document.getElementById("briefing-pdf");
    html.hidden = !config.can_export;
    html.href = `${config.api.briefing}?${query}`;
    pdf.hidden = !(config.can_export && config.pdf);
    query.set("format", "pdf");
    pdf.href = `${config.api.briefing}?${query}`;
  }

  form.addEventListener("change", (event) => {
    const name = event.target.name;
    if (name === "kpi") return pickKpi(form.kpi.value);
    if (name === "hotspots") {
      state.hotspots = form.hotspots.checked;
      writeUrl(true);
      return reloadKpi();
    }
    state[name] = form[name].value;
    if (name === "generation") state.unit = config.province;  // codes differ by generation
    writeUrl(true);
    load();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("records-button").addEventListener("click", loadRecords);

  window.addEventListener("popstate", () => {
    Object.assign(state, readState());
    fillForm();
    load();
  });

  form.period.replaceChildren(el("option", {value: "", text: t("latest")}),
    ...config.periods.map(([value, text]) => el("option", {value, text})));
  form.sector.replaceChildren(el("option", {value: "", text: t("all_sectors")}),
    ...config.sectors.map(([value, text]) => el("option", {value, text})));
  document.getElementById("briefing-html").textContent = t("briefing");
  document.getElementById("briefing-pdf").textContent = t("briefing_pdf");
  fillForm();
  writeUrl(false);
  load();
})();
