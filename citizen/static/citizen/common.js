/* Shared by the citizens' pages (/phan-anh/…): the page's messages, calls to our API in its
 * error format, dates in Vietnam time, and a MapLibre map of our own basemap.
 *
 * No inline script: the page hands its messages over as JSON (#citizen-config) and its URLs in
 * data- attributes. MapLibre's CSP build loads its worker from our own URL (worker-src 'self').
 * Everything the map needs (style, TileJSON, tiles, glyphs) comes from this origin. */
(function () {
  "use strict";

  const configElement = document.getElementById("citizen-config");
  const config = configElement ? JSON.parse(configElement.textContent) : {strings: {}};
  const strings = config.strings || {};
  const lang = document.documentElement.lang || "vi";

  /** A message with its {placeholders} filled in. */
  function t(key, params) {
    const text = strings[key] || key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      params && params[name] !== undefined ? String(params[name]) : whole);
  }

  const absolute = (url) => new URL(url, window.location.href).href;

  /** The URL of a report's page from a pattern holding PA-00000000. */
  const withId = (pattern, id) => pattern.replace("PA-00000000", encodeURIComponent(id));

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /** Our wording of an API error: per code on non-Vietnamese pages, else the API's own. */
  function errorMessage(status, body) {
    const error = body && body.error;
    if (error && error.code && (strings.api_errors || {})[error.code]) {
      return strings.api_errors[error.code];
    }
    if (status === 429) return t("error_throttled");
    if (error && error.message) return error.message;
    return status >= 500 ? t("error_server") : t("error_network");
  }

  /**
   * fetch() against our API. Resolves (never rejects) with {ok, status, data} or
   * {ok: false, status, code, message, details}; status 0 when the network failed.
   */
  async function request(method, url, options) {
    const opts = options || {};
    const headers = {"Accept": "application/json"};
    let body;
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      body = opts.form;  // multipart: the browser writes the boundary
    }
    let response;
    try {
      response = await fetch(url, {method: method, headers: headers, body: body,
                                   credentials: "same-origin", signal: opts.signal});
    } catch (error) {
      if (error.name === "AbortError") throw error;
      return {ok: false, status: 0, code: "network", message: t("error_network"), details: {}};
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.ok) return {ok: true, status: response.status, data: data};
    const error = (data && data.error) || {};
    return {ok: false, status: response.status, code: error.code || String(response.status),
            message: errorMessage(response.status, data), details: error.details || {}};
  }

  const timeFormat = new Intl.DateTimeFormat(lang === "vi" ? "vi-VN" : lang, {
    hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric",
    timeZone: "Asia/Ho_Chi_Minh"});

  function formatTime(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return isNaN(date) ? iso : timeFormat.format(date);
  }

  function timeElement(iso) {
    const time = document.createElement("time");
    time.dateTime = iso || "";
    time.textContent = formatTime(iso);
    return time;
  }

  /** Our style without the sector layers: a clean basemap with units and their names. */
  function baseStyle(style) {
    const layers = style.layers.filter((layer) => !(layer.metadata || {})["ioc:layer"]);
    const used = new Set(layers.map((layer) => layer.source).filter(Boolean));
    const sources = {};
    for (const [name, source] of Object.entries(style.sources)) {
      if (used.has(name)) sources[name] = source;
    }
    return Object.assign({}, style, {layers: layers, sources: sources});
  }

  function mapFailed(container, message) {
    container.classList.add("map-failed");
    container.dataset.iocState = "failed";
    container.textContent = message;
  }

  /**
   * A MapLibre map of our basemap in `container` (data-style-url, data-worker-url,
   * data-bounds). Resolves with the map, or with null after writing `failMessage` into the
   * container (no WebGL, the style could not be loaded). One finger scrolls the page and a tap
   * still reaches the map: it sits inside a long form on phones.
   */
  async function createMap(container, failMessage, options) {
    if (!window.maplibregl) {
      mapFailed(container, failMessage);
      return null;
    }
    const [west, south, east, north] = container.dataset.bounds.split(",").map(Number);
    let style;
    try {
      const response = await fetch(container.dataset.styleUrl, {
        credentials: "same-origin", headers: {Accept: "application/json"}});
      if (!response.ok) throw new Error("style " + response.status);
      style = baseStyle(await response.json());
    } catch (error) {
      mapFailed(container, failMessage);
      return null;
    }
    maplibregl.setWorkerUrl(absolute(container.dataset.workerUrl));
    let map;
    try {
      map = new maplibregl.Map(Object.assign({
        container: container,
        style: style,
        bounds: [[west, south], [east, north]],
        fitBoundsOptions: {padding: 8},
        maxBounds: [[west - 1.5, south - 1.5], [east + 1.5, north + 1.5]],
        cooperativeGestures: true,
        attributionControl: {compact: true},
        locale: strings.map_locale || {},
      }, options || {}));
    } catch (error) {  // no WebGL on this device
      mapFailed(container, failMessage);
      return null;
    }
    window.iocMap = map;  // for the browser tests, and for poking at it in the console
    map.addControl(new maplibregl.NavigationControl({showCompass: false}), "top-right");
    // The credits start folded on a phone's width: the ⓘ button unfolds them.
    map.once("idle", () => {
      const credits = container.querySelector(".maplibregl-ctrl-attrib.maplibregl-compact-show");
      if (credits) credits.classList.remove("maplibregl-compact-show");
    });
    map.on("dataloading", () => { container.dataset.iocState = "loading"; });
    map.on("idle", () => { container.dataset.iocState = "idle"; });
    // With a listener MapLibre no longer logs errors itself: keep them in the console.
    map.on("error", (event) => {
      console.error("ioc-gis map:", event.error ? event.error.message : String(event));
    });
    return map;
  }

  window.iocCitizen = {config: config, strings: strings, lang: lang, t: t, withId: withId,
                       request: request, formatTime: formatTime, timeElement: timeElement,
                       createMap: createMap};
})();
