/* Operator map (/dieu-hanh/ban-do/): our style for the signed-in operator — the incidents layer
 * among its sources, filtered by role and jurisdiction (tiles through Django's session) — kept
 * live by the incident feed socket (iocLive, /static/live/live.js; docs/adr/0009-live-push.md):
 *  - an event whose `data_version` is newer than the one drawn re-sets its layer's tile URLs
 *    with `?v=<data_version>` (the tile endpoint ignores `v`), so MapLibre fetches them again;
 *  - the event goes to the top of the "Sự kiện mới" list (tracking id, category, status, time);
 *  - a pulsing marker shows where it happened, for PULSE_MS.
 * After a reconnect the tiles are fetched again (events sent while away are not replayed).
 * No inline script: URLs in data- attributes, names of codes in the JSON block
 * #console-config. `window.iocMap` is the map, for the browser tests and the console. */
(function () {
  "use strict";

  const MAX_EVENTS = 50;
  const MAX_PULSES = 30;
  const PULSE_MS = 60000;
  const DETAIL_ZOOM = 16;  // the incidents layer draws single points from here (clusters below)
  const TYPES = {
    "incident.created": "Phản ánh mới",
    "incident.updated": "Cập nhật",
    "incident.commented": "Trao đổi mới",
  };
  const REFUSED = {
    4401: "Phiên đăng nhập đã hết hạn. Hãy tải lại trang để đăng nhập lại.",
    4403: "Tài khoản không có quyền theo dõi sự cố.",
  };

  const config = JSON.parse(document.getElementById("console-config").textContent);
  const container = document.getElementById("map");
  const list = document.getElementById("event-list");
  const empty = document.getElementById("events-empty");
  const liveStatus = document.getElementById("live-status");
  const liveText = document.getElementById("live-status-text");
  const mapStatus = document.getElementById("map-status");

  const map = window.iocMapCreate(container);  // tiles/map-base.js

  // ---- tiles: fetched again when a layer's data version moves ------------------------------
  const wanted = {};  // layer slug → newest data_version heard of
  const drawn = {};   // layer slug → data_version its tile URLs carry

  /** The tile URL template with `v=<version>` in its query (any older `v` removed). */
  function versioned(url, version) {
    const at = url.indexOf("?");
    const path = at < 0 ? url : url.slice(0, at);
    const query = at < 0 ? [] : url.slice(at + 1).split("&")
      .filter((part) => part && !part.startsWith("v="));
    query.push("v=" + encodeURIComponent(version));
    return path + "?" + query.join("&");
  }

  /** Re-set the tile URLs of a layer's source when a newer version is wanted. A source still
   *  loading its TileJSON is left alone and caught up once it has loaded ("sourcedata"). */
  function sync(slug) {
    const version = wanted[slug];
    if (version === undefined || version === drawn[slug]) return;
    const source = map.getSource(slug);
    if (!source || typeof source.setTiles !== "function" || !Array.isArray(source.tiles)) return;
    drawn[slug] = version;
    window.iocSetTiles(map, slug, source.tiles.map((url) => versioned(url, version)));
  }

  function want(slug, version) {
    if (!slug || typeof version !== "number") return;
    if (wanted[slug] === undefined || version > wanted[slug]) wanted[slug] = version;
    sync(slug);
  }

  map.on("sourcedata", (event) => {
    if (event.sourceDataType === "metadata" && event.sourceId in wanted) sync(event.sourceId);
  });

  // ---- the event list and the pulses -------------------------------------------------------
  const pulses = new Map();  // tracking id → {marker, timer}

  function nameOf(table, code) {
    return (config[table] && config[table][code]) || code || "";
  }

  function timeOf(at) {
    const moment = new Date(at);
    if (isNaN(moment)) return "";
    return moment.toLocaleTimeString("vi-VN", {hour12: false, timeZone: "Asia/Ho_Chi_Minh"});
  }

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function listItem(event) {
    const item = document.createElement("li");
    item.dataset.id = event.id;
    item.dataset.type = event.type;
    item.dataset.status = event.status;
    item.dataset.commune = event.commune_code || "";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "event";
    button.title = "Xem trên bản đồ";
    const head = span("event-head", "");
    const id = document.createElement("strong");
    id.className = "event-id";
    id.textContent = event.id;
    const time = document.createElement("time");
    time.dateTime = event.at || "";
    time.textContent = timeOf(event.at);
    head.append(id, " ", time);
    const status = span("event-status status-" + event.status, nameOf("statuses", event.status));
    const kind = span("event-kind", (TYPES[event.type] || event.type) + " · ");
    kind.append(status);
    const place = nameOf("units", event.commune_code);
    const what = span("event-what", nameOf("categories", event.category) +
                      (place ? " · " + place : ""));
    button.append(head, kind, what);
    button.addEventListener("click", () => {
      map.flyTo({center: [event.lon, event.lat], zoom: Math.max(map.getZoom(), DETAIL_ZOOM)});
    });
    item.append(button);
    return item;
  }

  function pulse(event) {
    if (!isFinite(event.lon) || !isFinite(event.lat)) return;
    const old = pulses.get(event.id);
    if (old) {
      clearTimeout(old.timer);
      old.marker.remove();
      pulses.delete(event.id);
    }
    const element = document.createElement("div");
    element.className = "pulse status-" + event.status;
    element.title = event.id + " · " + nameOf("statuses", event.status);
    const marker = new maplibregl.Marker({element: element})
      .setLngLat([event.lon, event.lat]).addTo(map);
    const timer = setTimeout(() => {
      marker.remove();
      pulses.delete(event.id);
    }, PULSE_MS);
    pulses.set(event.id, {marker: marker, timer: timer});
    while (pulses.size > MAX_PULSES) {
      const [oldest, entry] = pulses.entries().next().value;
      clearTimeout(entry.timer);
      entry.marker.remove();
      pulses.delete(oldest);
    }
  }

  function onEvent(event) {
    want(event.layer, event.data_version);
    list.prepend(listItem(event));
    while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
    empty.hidden = true;
    pulse(event);
  }

  // ---- the connection ----------------------------------------------------------------------
  function showStatus(state, text) {
    liveStatus.dataset.state = state;
    liveText.textContent = text;
  }

  function onStatus(state, detail) {
    if (state === "open") {
      showStatus("open", "Đang nhận cập nhật trực tiếp");
      // The version of now: tiles drawn before the socket opened (or while it was away) may
      // miss changes that no event will repeat.
      want(config.layer, detail.data_version);
    } else if (state === "connecting") {
      showStatus("connecting", "Đang kết nối cập nhật trực tiếp…");
    } else if (state === "closed") {
      const seconds = Math.max(1, Math.round((detail.retryIn || 0) / 1000));
      showStatus("closed", "Mất kết nối, thử lại sau " + seconds + " giây…");
    } else if (state === "refused") {
      showStatus("refused",
                 REFUSED[detail.code] || "Máy chủ từ chối kết nối cập nhật trực tiếp.");
    }
  }

  iocLive.connect(null, onEvent, {onStatus: onStatus});

  // ---- the map's own state -------------------------------------------------------------------
  map.once("load", () => {
    if (!map.getSource(config.layer)) {
      mapStatus.textContent = "Bản đồ của bạn không có lớp sự cố; sự kiện vẫn hiện trong danh sách.";
    }
  });
  map.on("dataloading", () => { container.dataset.iocState = "loading"; });
  map.on("idle", () => { container.dataset.iocState = "idle"; });
  // With a listener MapLibre no longer logs errors itself: keep them in the console.
  map.on("error", (event) => {
    const message = event.error ? event.error.message : String(event);
    mapStatus.textContent = "Lỗi tải bản đồ: " + message;
    console.error("ioc-gis operator map:", message);
  });
})();
