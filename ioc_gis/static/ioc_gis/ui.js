/* What every staff screen's script shares (window.iocUi). Loaded before the screen's own script.
 *  - config: the page's JSON block #screen-config (config, `strings` in the active language);
 *  - t(key, values): an interface string, with {name} placeholders filled;
 *  - el(tag, props, ...children): builds elements; children are nodes or text. Text from data
 *    is only ever set as text (textContent / text nodes): nothing from data becomes HTML;
 *  - api(url, options): fetch on our origin with the CSRF token, JSON in and out; a non-2xx
 *    answer throws an ApiError carrying the API's error document;
 *  - formatNumber / formatTime / formatDateTime in the page's language, Vietnam's time zone;
 *  - fold(text): lower case without diacritics (đ → d), so search works with or without them. */
(function () {
  "use strict";

  const block = document.getElementById("screen-config");
  const config = block ? JSON.parse(block.textContent) : {strings: {}};
  const strings = config.strings || {};
  const locale = config.language === "en" ? "en-GB" : "vi-VN";
  const TIME_ZONE = "Asia/Ho_Chi_Minh";

  function t(key, values) {
    let text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, (whole, name) =>
        Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
    }
    return text;
  }

  function el(tag, props, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") element.className = value;
      else if (name === "text") element.textContent = value;
      else if (name === "dataset") Object.assign(element.dataset, value);
      else if (name === "on") {
        for (const [type, handler] of Object.entries(value)) element.addEventListener(type, handler);
      } else if (name in element && typeof value !== "string") element[name] = value;
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || ("HTTP " + status));
      this.status = status;
      this.code = error.code || "http_" + status;
      this.details = error.details;
    }
  }

  function csrfToken() {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  async function api(url, options) {
    const opts = options || {};
    const method = (opts.method || "GET").toUpperCase();
    const headers = {"Accept": "application/json"};
    let body = opts.body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
    const response = await fetch(url, {method: method, headers: headers, body: body,
                                       credentials: "same-origin", signal: opts.signal});
    const type = response.headers.get("Content-Type") || "";
    const data = response.status === 204 ? null
      : type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  const numberFormat = new Intl.NumberFormat(locale);
  const timeFormat = new Intl.DateTimeFormat(locale, {hour: "2-digit", minute: "2-digit",
    second: "2-digit", hour12: false, timeZone: TIME_ZONE});
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {day: "2-digit", month: "2-digit",
    year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false, timeZone: TIME_ZONE});

  function formatNumber(value) {
    return typeof value === "number" && isFinite(value) ? numberFormat.format(value) : "–";
  }

  function formatTime(at) {
    const moment = at instanceof Date ? at : new Date(at);
    return isNaN(moment) ? "" : timeFormat.format(moment);
  }

  function formatDateTime(at) {
    const moment = at instanceof Date ? at : new Date(at);
    return isNaN(moment) ? "" : dateTimeFormat.format(moment);
  }

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  window.iocUi = {config, t, el, api, ApiError, formatNumber, formatTime, formatDateTime, fold,
                  locale, TIME_ZONE};
})();
