/* The video wall (/wall/): scenes in turn on the map (wall-map.js), a pinned scene held, the
 * KPI strip, the clock in Vietnam time, the newest incidents, and live incidents flashing where
 * they happen (iocLive, docs/adr/0009-live-push.md). Nobody touches it, so it looks after itself:
 *  - every API read retries with doubling delays (1 s → 30 s) and polls again on its period;
 *  - the socket reconnects by itself (live.js); on its return, or when the API answers again
 *    after failing, everything is read again and, if the map saw errors, its style reloaded;
 *  - the connection indicator (#connection[data-state]) says ok / connecting / degraded /
 *    offline / refused.
 * Data is only ever set as text (iocUi.el, textContent). `window.iocWall` is for the tests. */
(function () {
  "use strict";

  const ui = window.iocUi;
  const config = ui.config;
  const t = ui.t;
  const labels = config.labels || {};
  const byId = (id) => document.getElementById(id);
  const root = byId("wall");
  const MAX_FLASHES = 30;
  const FLASH_MS = 60000;
  const TOKEN = /^[a-z_]+$/;

  const wallMap = window.iocWallMap(byId("map"), {incidentsLayer: config.incidents_layer,
                                                  legend: byId("legend")});
  const map = wallMap.map;

  // ---- health: the connection indicator, and recovery when things come back -------------
  const health = {live: "connecting", api: "ok", online: navigator.onLine !== false,
                  mapErrors: 0, everOpen: false, state: "connecting"};

  function stateNow() {
    if (health.live === "refused" || health.api === "refused") return "refused";
    if (!health.online) return "offline";
    if (health.live === "open" && health.api === "ok") return "ok";
    if (!health.everOpen && health.api === "ok") return "connecting";
    if (health.live !== "open" && health.api === "failing") return "offline";
    return "degraded";
  }

  function showHealth() {
    const state = stateNow();
    if (state === health.state) return;
    const recovered = state === "ok" && health.everOk;
    health.state = state;
    byId("connection").dataset.state = state;
    byId("connection-text").textContent = t("connection." + state);
    root.dataset.state = state;
    if (state === "ok") health.everOk = true;
    if (recovered) recover();
  }

  function recover() {
    if (health.mapErrors > 0) {
      health.mapErrors = 0;
      wallMap.reload();
    }
    for (const poller of [scenesPoller, kpiPoller, eventsPoller]) poller.poke(0);
  }

  window.addEventListener("offline", () => { health.online = false; showHealth(); });
  window.addEventListener("online", () => {
    health.online = true;
    showHealth();
    for (const poller of [scenesPoller, kpiPoller, eventsPoller]) poller.poke(0);
  });

  async function read(url) {
    try {
      const data = await ui.api(url);
      health.api = "ok";
      return data;
    } catch (error) {
      const status = error instanceof ui.ApiError ? error.status : 0;
      health.api = status === 401 || status === 403 ? "refused" : "failing";
      throw error;
    } finally {
      showHealth();
    }
  }

  /** Runs `task` every `periodMs`; after a failure sooner, doubling from 1 s up to the period
   *  (with jitter, so that walls do not all come back in step). poke(ms): run soon. */
  function poller(task, periodMs) {
    let timer = null;
    let failures = 0;
    let running = false;

    function schedule(ms) {
      clearTimeout(timer);
      timer = setTimeout(run, ms);
    }

    async function run() {
      if (running) { schedule(200); return; }
      running = true;
      let next = periodMs;
      try {
        await task();
        failures = 0;
      } catch (error) {
        failures += 1;
        const backoff = Math.min(periodMs, 30000, 1000 * Math.pow(2, failures - 1));
        next = backoff / 2 + Math.random() * backoff / 2;
      } finally {
        running = false;
      }
      schedule(next);
    }

    return {poke: (ms) => schedule(ms === undefined ? 250 : ms), start: () => schedule(0)};
  }

  // ---- scenes: in turn, or the pinned one, or the one asked for with ?scene= ----------------
  let scenes = [];
  let pin = null;
  let current = null;
  let currentPinned = false;
  let rotationTimer = null;

  function rotation() {
    const asked = config.scene && scenes.find((scene) => scene.slug === config.scene);
    return asked ? [asked] : scenes;
  }

  function applyScenes(data) {
    scenes = Array.isArray(data.scenes) ? data.scenes : [];
    pin = data.pin || null;
    const pinned = pin && scenes.find((scene) => scene.slug === pin.scene);
    if (pinned) {
      clearTimeout(rotationTimer);
      if (!currentPinned || !current || current.slug !== pinned.slug) show(pinned, true);
      else current = pinned;
      noteFor(pinned);
      return;
    }
    const list = rotation();
    const same = current && list.find((scene) => scene.slug === current.slug);
    if (currentPinned || !same) {
      if (list.length) show(same || list[0], false);
      else showNone();
    } else {
      current = same;  // its settings may have changed; it keeps its turn
      noteFor(same);
    }
  }

  function showNone() {
    clearTimeout(rotationTimer);
    current = null;
    byId("scene-name").textContent = t("scene.none");
  }

  function noteFor(scene) {
    let note = "";
    if (pin && currentPinned) {
      const until = ui.formatTime(pin.until).slice(0, 5);
      note = pin.pinned_by ? t("scene.pinned", {who: pin.pinned_by, until: until})
        : t("scene.pinned_anonymous", {until: until});
    } else if (rotation().length === 1 && config.scene === scene.slug) {
      note = t("scene.single");
    }
    byId("scene-note").textContent = note;
  }

  function restartProgress(seconds, running) {
    const bar = byId("scene-progress");
    bar.classList.remove("running");
    bar.style.animationDuration = seconds + "s";
    void bar.offsetWidth;  // restart the CSS animation
    if (running) bar.classList.add("running");
  }

  function show(scene, pinned) {
    const first = current === null;
    clearTimeout(rotationTimer);
    current = scene;
    currentPinned = pinned;
    root.dataset.scene = scene.slug;
    root.dataset.pinned = pinned ? "true" : "false";
    byId("scene-name").textContent = scene.name;
    noteFor(scene);
    const panels = new Set(scene.panels || []);
    byId("panel-kpi").hidden = !panels.has("kpi");
    byId("panel-events").hidden = !panels.has("events");
    byId("panel-legend").hidden = !panels.has("legend");
    wallMap.show(scene, first || document.hidden);
    const rotating = !pinned && rotation().length > 1;
    restartProgress(scene.dwell_seconds, rotating);
    if (rotating) rotationTimer = setTimeout(advance, scene.dwell_seconds * 1000);
    eventsPoller.poke(0);
  }

  function advance() {
    const list = rotation();
    if (!list.length) return showNone();
    const at = current ? list.findIndex((scene) => scene.slug === current.slug) : -1;
    show(list[(at + 1) % list.length], false);
  }

  const scenesPoller = poller(async () => applyScenes(await read(config.urls.scenes)),
                              config.pin_poll_seconds * 1000);

  // ---- KPI strip ---------------------------------------------------------------------------
  function showKpi(figures) {
    for (const name of ["open", "new_24h", "overdue"]) {
      byId("kpi-" + name).textContent = ui.formatNumber(figures[name]);
    }
    const pct = figures.on_time_pct;
    byId("kpi-on_time_pct").textContent = typeof pct === "number"
      ? t("kpi.pct", {value: ui.formatNumber(pct)}) : "–";
  }

  const kpiPoller = poller(async () => {
    showKpi(await read(config.urls.kpi));
    if (health.mapErrors > 0 && health.state === "ok") recover();  // stray tile errors
  }, config.kpi_poll_seconds * 1000);

  // ---- the newest incidents ----------------------------------------------------------------
  const list = byId("event-list");
  const fresh = new Set();  // ids heard live, highlighted once drawn

  function nameOf(table, code) {
    return (labels[table] && labels[table][code]) || code || "";
  }

  function eventItem(incident, provisional) {
    const status = TOKEN.test(incident.status || "") ? incident.status : "new";
    const what = [nameOf("categories", incident.category), nameOf("units", incident.commune_code),
                  incident.id].filter(Boolean).join(" · ");
    const item = ui.el("li", {dataset: {id: incident.id, status: status},
                              className: fresh.has(incident.id) ? "fresh" : null},
      ui.el("time", {className: "event-time", dateTime: incident.created_at || incident.at || "",
                     text: ui.formatTime(incident.created_at || incident.at).slice(0, 5)}),
      ui.el("span", {className: "event-title",
                     text: provisional ? t("events.live") : incident.title}),
      ui.el("span", {className: "event-status badge status-" + status,
                     text: nameOf("statuses", status)}),
      ui.el("span", {className: "event-what", text: what}));
    fresh.delete(incident.id);
    return item;
  }

  function showEvents(incidents) {
    list.replaceChildren(...incidents.map((incident) => eventItem(incident, false)));
    byId("events-empty").hidden = incidents.length > 0;
  }

  function sceneQuery() {
    const query = new URLSearchParams({limit: String(config.events_shown)});
    if (current) query.set("scene", current.slug);
    return query.toString();
  }

  const eventsPoller = poller(async () => showEvents(await read(config.urls.events + "?" +
                                                                 sceneQuery())),
                              config.kpi_poll_seconds * 1000);

  function inScene(event) {
    const filters = (current && current.filters) || {};
    return (!filters.status || !filters.status.length || filters.status.includes(event.status))
      && (!filters.category || !filters.category.length
          || filters.category.includes(event.category));
  }

  // ---- live incidents: a flash where it happened, at once in the list, then read again -----
  const flashes = new Map();  // tracking id → {marker, timer}

  function flash(event) {
    if (!isFinite(event.lon) || !isFinite(event.lat)) return;
    const old = flashes.get(event.id);
    if (old) { clearTimeout(old.timer); old.marker.remove(); }
    const status = TOKEN.test(event.status || "") ? event.status : "new";
    const element = ui.el("div", {className: "flash status-" + status,
                                  dataset: {id: event.id}});
    const marker = new maplibregl.Marker({element: element}).setLngLat([event.lon, event.lat])
      .addTo(map);
    const timer = setTimeout(() => { marker.remove(); flashes.delete(event.id); }, FLASH_MS);
    flashes.delete(event.id);
    flashes.set(event.id, {marker: marker, timer: timer});
    while (flashes.size > MAX_FLASHES) {
      const [oldest, entry] = flashes.entries().next().value;
      clearTimeout(entry.timer);
      entry.marker.remove();
      flashes.delete(oldest);
    }
  }

  function onEvent(event) {
    wallMap.want(event.data_version);
    flash(event);
    if (event.type === "incident.created" && inScene(event)) {
      fresh.add(event.id);
      const known = list.querySelector("li[data-id='" + CSS.escape(event.id) + "']");
      if (!known) {
        list.prepend(eventItem(event, true));
        byId("events-empty").hidden = true;
        while (list.children.length > config.events_shown) list.lastElementChild.remove();
      }
    }
    eventsPoller.poke(150);
    kpiPoller.poke(1500);
  }

  function onStatus(state, detail) {
    if (state === "open") {
      health.live = "open";
      health.everOpen = true;
      wallMap.want(detail.data_version);
      if (detail.reconnected) recover();
    } else if (state === "refused") {
      health.live = "refused";
    } else {
      health.live = health.everOpen ? "closed" : "connecting";
    }
    showHealth();
  }

  // ---- the map's own state, the clock, the size ----------------------------------------------
  const container = byId("map");
  const mapStatus = byId("map-status");
  map.on("dataloading", () => { container.dataset.iocState = "loading"; });
  map.on("idle", () => {
    container.dataset.iocState = "idle";
    mapStatus.hidden = true;
  });
  map.on("error", (event) => {
    health.mapErrors += 1;
    if (!map.isStyleLoaded() && !map.loaded()) {
      mapStatus.textContent = t("map.error");
      mapStatus.hidden = false;
    }
    console.warn("ioc-gis wall map:", event.error ? event.error.message : String(event));
  });

  const dateFormat = new Intl.DateTimeFormat(ui.locale, {weekday: "long", day: "2-digit",
    month: "2-digit", year: "numeric", timeZone: ui.TIME_ZONE});

  function tick() {
    const now = new Date();
    const time = byId("clock-time");
    time.textContent = ui.formatTime(now);
    time.dateTime = now.toISOString();
    byId("clock-date").textContent = dateFormat.format(now);
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => wallMap.refit(), 300);
  });

  tick();
  setInterval(tick, 1000);
  showHealth();
  scenesPoller.start();
  kpiPoller.start();
  iocLive.connect(null, onEvent, {onStatus: onStatus});

  window.iocWall = {
    get scene() { return current ? current.slug : null; },
    get pinned() { return currentPinned; },
    get health() { return {...health}; },
    advance: advance,
  };
})();
