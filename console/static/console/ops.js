/* The operator console (/ops/): the incidents list and the map side by side, one set of filters
 * for both, the detail drawer (ops-drawer.js), live without reload.
 *  - Filters (sector, category, status, unit, period, overdue, text) make one query of
 *    GET /api/incidents/ (newest first, paged) and the tile filters of the map (ops-map.js).
 *  - Live: each incident event (iocLive, docs/adr/0009-live-push.md) refreshes the map's tiles
 *    by data_version and pulses; the incident is fetched again and, if it matches the filters,
 *    put at the top of the list (new) or refreshed in place (known); the open drawer is
 *    refreshed. After a reconnect the list is fetched again (events are not replayed).
 * No inline script: config and strings come from #screen-config (iocUi.config). */
(function () {
  "use strict";

  const ui = window.iocUi;
  const {el, t, config} = ui;
  const COLOURS = {new: "#1565c0", verified: "#6a1b9a", assigned: "#ef6c00",
                   in_progress: "#f9a825", resolved: "#2e7d32", closed: "#546e7a",
                   rejected: "#8d6e63", duplicate: "#9e9e9e"};
  const OPEN = "new,verified,assigned,in_progress";
  const PERIODS = {"24h": 1, "7d": 7, "30d": 30};
  const FRESH_MS = 8000;

  const form = document.getElementById("filters");
  const field = (name) => document.getElementById("filter-" + name);
  const list = document.getElementById("incident-list");
  const summary = document.getElementById("list-summary");
  const more = document.getElementById("load-more");
  const mapStatus = document.getElementById("map-status");
  const categories = new Map(config.categories.map((c) => [c.code, c]));
  const units = new Map(config.units.map((u) => [u[0], {name: u[1], parent: u[3]}]));

  const shown = new Map();  // tracking id → incident (as the list API gave it)
  let total = 0;
  let request = 0;          // sequence number of list loads

  // ---- filters -------------------------------------------------------------------------------
  function options(select, entries) {
    select.replaceChildren(el("option", {value: ""}, t("all")),
                           ...entries.map(([value, label]) => el("option", {value: value}, label)));
  }

  function fillCategories() {
    const sector = field("sector").value;
    const keep = field("category").value;
    options(field("category"), config.categories.filter((c) => !sector || c.sector === sector)
      .map((c) => [c.code, c.name]));
    field("category").value = categories.has(keep) && (!sector ||
      categories.get(keep).sector === sector) ? keep : "";
  }

  options(field("sector"), config.sectors);
  fillCategories();
  options(field("status"), [[OPEN, t("open_statuses")]].concat(
    Object.entries(config.statuses)));
  options(field("unit"), config.units.map((u) => [u[0], u[1]]));
  options(field("period"), [["24h", t("period_24h")], ["7d", t("period_7d")],
                            ["30d", t("period_30d")], ["custom", t("period_custom")]]);

  function nextDay(day) {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }

  /** The filters as API query parameters (the tiles take the same `since`/`until`). */
  function filters() {
    const query = {};
    for (const name of ["sector", "category", "status", "unit"]) {
      if (field(name).value) query[name] = field(name).value;
    }
    const period = field("period").value;
    if (PERIODS[period]) {
      query.since = new Date(Date.now() - PERIODS[period] * 86400000).toISOString()
        .replace(/\.\d+Z$/, "Z");
    } else if (period === "custom") {
      if (field("since").value) query.since = field("since").value;
      if (field("until").value) query.until = nextDay(field("until").value);  // whole day
    }
    if (field("overdue").checked) query.overdue = "true";
    if (field("q").value.trim()) query.q = field("q").value.trim();
    return query;
  }

  /** The same filters for the incidents tiles: a sector is its categories. */
  function tileFilters(query) {
    let codes = query.category ? [query.category] : null;
    if (query.sector) {
      const inSector = config.categories.filter((c) => c.sector === query.sector)
        .map((c) => c.code);
      codes = codes ? codes.filter((c) => inSector.includes(c)) : inSector;
    }
    const params = new URLSearchParams();
    if (codes) params.set("category", codes.join(","));
    for (const name of ["status", "since", "until"]) if (query[name]) params.set(name, query[name]);
    return {query: params.toString().replace(/%2C/g, ","), hidden: !!codes && !codes.length,
            dimmed: !!(query.unit || query.q || query.overdue)};
  }

  /** Whether an incident (the API's staff view) passes the filters — for live arrivals. */
  function matches(incident, query) {
    if (query.sector && (categories.get(incident.category) || {}).sector !== query.sector) {
      return false;
    }
    if (query.category && incident.category !== query.category) return false;
    if (query.status && !query.status.split(",").includes(incident.status)) return false;
    if (query.unit && !inUnit(incident.commune_code, query.unit) &&
        !inUnit(incident.assigned_unit_code, query.unit)) return false;
    const created = new Date(incident.created_at).getTime();
    if (query.since && created < sinceTime(query.since)) return false;
    if (query.until && created >= sinceTime(query.until)) return false;
    if (query.overdue && !incident.is_overdue) return false;
    if (query.q) {
      const needle = ui.fold(query.q);
      const id = query.q.toUpperCase();
      if (/^PA-[0-9A-Z]{8}$/.test(id)) return incident.id === id;
      return [incident.title, incident.description, incident.address]
        .some((text) => ui.fold(text).includes(needle));
    }
    return true;
  }

  function sinceTime(value) {  // a date is local (Vietnam) midnight, as on the server
    return new Date(value.length === 10 ? value + "T00:00:00+07:00" : value).getTime();
  }

  function inUnit(code, unit) {
    for (let at = code, hops = 0; at && hops < 5; at = (units.get(at) || {}).parent, hops++) {
      if (at === unit) return true;
    }
    return false;
  }

  // ---- the list ------------------------------------------------------------------------------
  function unitName(code) {
    return code ? (units.get(code) || {name: t("unknown_unit", {code: code})}).name : "";
  }

  function listItem(incident) {
    const category = categories.get(incident.category);
    return el("li", {dataset: {id: incident.id, status: incident.status}},
      el("button", {type: "button", className: "incident",
                    on: {click: () => openIncident(incident.id, true)}},
        el("span", {className: "incident-head"},
           el("strong", {className: "incident-id"}, incident.id), " ",
           el("span", {className: "badge status-" + incident.status},
              config.statuses[incident.status] || incident.status), " ",
           el("span", {className: "fresh-tag"}, t("new_badge")),
           el("time", {dateTime: incident.created_at}, ui.formatDateTime(incident.created_at))),
        el("span", {className: "incident-title"}, incident.title),
        el("span", {className: "incident-what muted"},
           [category ? category.name : incident.category_name,
            unitName(incident.commune_code)].filter(Boolean).join(" · ")),
        el("span", {className: "sla-countdown small", dataset: {
          due: incident.due_at, status: incident.status,
          sla: category ? category.sla_hours : ""}})));
  }

  function showSummary() {
    summary.textContent = shown.size ? t("list_count", {shown: ui.formatNumber(shown.size),
                                                         total: ui.formatNumber(total)})
      : t("list_empty");
    more.hidden = shown.size >= total;
    map.setItems([...shown.values()], COLOURS);
    const open = drawer.currentId();
    for (const item of list.children) {
      item.classList.toggle("selected", item.dataset.id === open);
    }
  }

  async function loadList(append) {
    const sequence = ++request;
    const query = filters();
    const params = new URLSearchParams(query);
    params.set("limit", config.page_size);
    params.set("offset", append ? shown.size : 0);
    list.dataset.state = "loading";
    if (!append) map.setTileFilters(tileFilters(query));
    mapStatus.hidden = !tileFilters(query).dimmed;
    mapStatus.textContent = t("map_partial");
    try {
      const page = await ui.api(config.api.incidents + "?" + params.toString());
      if (sequence !== request) return;
      if (!append) {
        shown.clear();
        list.replaceChildren();
      }
      total = page.count;
      for (const incident of page.results) {
        if (shown.has(incident.id)) continue;
        shown.set(incident.id, incident);
        list.append(listItem(incident));
      }
      list.dataset.state = "ready";
      showSummary();
      window.iocOpsSla.tick();
      if (!append && Object.keys(query).length) map.fitItems();
    } catch (error) {
      if (sequence !== request) return;
      list.dataset.state = "error";
      summary.textContent = t("list_error", {message: error.message});
    }
  }

  /** Put a fetched incident in the list: refreshed in place, new at the top, or gone when it
   *  no longer matches the filters. */
  function upsert(incident, created) {
    const query = filters();
    const old = list.querySelector(`li[data-id="${CSS.escape(incident.id)}"]`);
    if (!matches(incident, query)) {
      if (old) {
        old.remove();
        shown.delete(incident.id);
        total = Math.max(0, total - 1);
      }
      showSummary();
      return;
    }
    const item = listItem(incident);
    if (old) {
      old.replaceWith(item);
    } else if (created || !shown.size) {
      list.prepend(item);
      total += 1;
    } else {
      return;  // an older incident changed into the filters: it appears at the next load
    }
    shown.set(incident.id, incident);
    item.querySelector(".fresh-tag").textContent = old ? t("updated_badge") : t("new_badge");
    item.classList.add("fresh");
    setTimeout(() => item.classList.remove("fresh"), FRESH_MS);
    showSummary();
    window.iocOpsSla.tick();
  }

  // ---- the map and the drawer ---------------------------------------------------------------
  const map = window.iocOpsMap(document.getElementById("map"), {
    layer: config.layer, onPick: (id) => openIncident(id, false)});
  const drawer = window.iocOpsDrawer({
    config: config,
    onChanged: (detail) => upsert(detail, false),
    onClose: () => { map.select(""); showSummary(); },
  });

  function openIncident(id, fly) {
    map.select(id);
    const known = shown.get(id);
    if (fly && known) map.flyTo(known.lon, known.lat);
    drawer.open(id);
    showSummary();
  }

  // ---- live ------------------------------------------------------------------------------------
  async function onEvent(event) {
    map.want(event.data_version);
    map.pulse(event);
    const watched = shown.has(event.id) || drawer.currentId() === event.id;
    if (!watched && event.type !== "incident.created") return;
    if (drawer.currentId() === event.id) drawer.refresh();
    try {
      const incident = await ui.api(config.api.incidents + encodeURIComponent(event.id) + "/");
      upsert(incident, event.type === "incident.created");
    } catch (error) {
      console.warn("ioc-gis ops: incident " + event.id + " not fetched:", error.message);
    }
  }

  const liveStatus = document.getElementById("live-status");
  const liveText = document.getElementById("live-status-text");

  function onStatus(state, detail) {
    liveStatus.dataset.state = state;
    if (state === "open") {
      liveText.textContent = t("live_open");
      map.want(detail.data_version);
      if (detail.reconnected) loadList(false);
    } else if (state === "connecting") {
      liveText.textContent = t("live_connecting");
    } else if (state === "closed") {
      liveText.textContent = t("live_closed", {
        seconds: Math.max(1, Math.round((detail.retryIn || 0) / 1000))});
    } else if (state === "refused") {
      liveText.textContent = t("live_refused_" + detail.code) !== "live_refused_" + detail.code
        ? t("live_refused_" + detail.code) : t("live_refused");
    }
  }

  // ---- wiring ----------------------------------------------------------------------------------
  let typing = null;
  form.addEventListener("change", (event) => {
    if (event.target === field("sector")) fillCategories();
    document.getElementById("custom-period").hidden = field("period").value !== "custom";
    loadList(false);
  });
  field("q").addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => loadList(false), 300);
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); loadList(false); });
  form.addEventListener("reset", () => setTimeout(() => {
    fillCategories();
    document.getElementById("custom-period").hidden = true;
    loadList(false);
  }, 0));
  more.addEventListener("click", () => loadList(true));
  map.map.on("error", (event) => {
    const text = event.error ? event.error.message : String(event);
    mapStatus.hidden = false;
    mapStatus.textContent = t("map_error", {message: text});
    console.error("ioc-gis ops map:", text);
  });

  setInterval(window.iocOpsSla.tick, 1000);
  loadList(false);
  window.iocLive.connect(null, onEvent, {onStatus: onStatus});
  // For the browser tests and the console.
  window.iocOps = {loadList: loadList, openIncident: openIncident, filters: filters,
                   tileFilters: tileFilters, ringIds: () => map.itemIds()};
})();
