/* Data sources page (/data/): the liveness summary, the filters and the table of sources from
 * GET /api/sources/, a "check again" button for those who may run the check, and the wiring of
 * the runs (data-runs.js) and alerts (data-alerts.js) modules loaded before this file.
 *
 * One state, in the URL (?liveness=&sector=&kind=&source=). Sector and kind go to the API;
 * liveness narrows the table here, so the summary keeps showing every liveness of the chosen
 * sector and kind (a badge is also a liveness filter). ?source=<subject> (the alerts' links)
 * highlights that row and scrolls to it. Text from data is only ever set as text (iocUi.el).
 * `window.iocData` is for the tests. */
(function () {
  "use strict";

  const ui = window.iocUi;
  const {el, t} = ui;
  const config = ui.config;
  const labels = config.labels;
  const runs = window.iocDataRuns;
  const alerts = window.iocDataAlerts;
  const FILTERS = ["liveness", "sector", "kind"];
  const table = document.getElementById("source-table");
  const rows = document.getElementById("source-rows");
  const counts = document.getElementById("liveness-counts");
  const checkedAt = document.getElementById("checked-at");
  const notice = document.getElementById("notice");
  const form = document.getElementById("filters");
  const checkButton = document.getElementById("check-now");
  const COLUMNS = table.querySelectorAll("thead th").length;

  const params = new URLSearchParams(location.search);
  const state = {filters: {}, source: params.get("source") || "", scrolled: false,
                 listing: null, asked: 0};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value && Object.prototype.hasOwnProperty.call(labels[name], value)) {
      state.filters[name] = value;
    }
  }

  // ---- formatting -------------------------------------------------------------------------
  const percentFormat = new Intl.NumberFormat(ui.locale, {style: "percent",
                                                          maximumFractionDigits: 1});
  const relativeFormat = new Intl.RelativeTimeFormat(ui.locale, {numeric: "auto"});
  const UNITS = [["day", 86400], ["hour", 3600], ["minute", 60]];

  function percent(value) {
    return typeof value === "number" && isFinite(value) ? percentFormat.format(value) : "–";
  }

  function relativeTime(at) {
    const seconds = (new Date(at) - Date.now()) / 1000;
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return relativeFormat.format(Math.trunc(seconds / size), unit);
    }
    return relativeFormat.format(Math.trunc(seconds), "second");
  }

  function intervalText(hours) {
    if (typeof hours !== "number") return "–";
    if (hours < 1) return t("interval_minutes", {count: ui.formatNumber(Math.round(hours * 60))});
    if (hours < 48) return t("interval_hours", {count: ui.formatNumber(hours)});
    return t("interval_days", {count: ui.formatNumber(Math.round(hours / 2.4) / 10)});
  }

  /** Only paths of our own origin become links. */
  function safePath(path) {
    return typeof path === "string" && path.startsWith("/") && !path.startsWith("//") ? path : null;
  }

  function label(group, code, fallback) {
    return Object.prototype.hasOwnProperty.call(labels[group], code) ? labels[group][code]
      : (fallback || code);
  }

  // ---- the table --------------------------------------------------------------------------
  function livenessBadge(code) {
    return el("span", {className: `badge liveness-${String(code).toLowerCase()}`},
              label("liveness", code));
  }

  function kindText(source) {
    const kind = label("kind", source.kind, source.kind_label);
    const connector = source.connector;
    return connector ? [kind, el("br"), el("small", {className: "muted"},
                                           label("connector_kind", connector.kind))] : kind;
  }

  function layerTitle(layer) {
    if (!layer) return "–";
    return config.language === "en" && layer.title_en ? layer.title_en : layer.title;
  }

  function lastSuccess(at) {
    if (!at) return "–";
    const absolute = ui.formatDateTime(at);
    return el("time", {dateTime: at, title: absolute},
              el("span", {className: "relative"}, relativeTime(at)), el("br"),
              el("small", {className: "absolute muted"}, absolute));
  }

  function link(path, className, text) {
    const href = safePath(path);
    return href ? el("a", {href: href, className: className}, text) : null;
  }

  function actions(source) {
    const connector = source.connector || {};
    const links = source.links || {};
    return el("div", {className: "row-actions"},
              connector.can_upload ? runs.uploadControl(source) : null,
              connector.can_pull ? runs.pullButton(source) : null,
              link(links.map, "map-link", t("map")),
              link(links.ogc, "ogc-link", t("ogc")),
              link(connector.last_report_url, "last-report-link", t("last_report")));
  }

  function sourceRow(source) {
    const row = el("tr", {dataset: {subject: source.subject, liveness: source.liveness}},
      el("th", {scope: "row", className: "name"}, source.name, el("br"),
         el("small", {className: "muted"}, label("sector", source.sector, source.sector_label))),
      el("td", {className: "kind"}, kindText(source)),
      el("td", {className: "layer"}, layerTitle(source.layer)),
      el("td", {className: "owner"}, source.owner_department),
      el("td", {className: "liveness"}, livenessBadge(source.liveness)),
      el("td", {className: "num interval"}, intervalText(source.expected_hours)),
      el("td", {className: "last-success"}, lastSuccess(source.last_success_at)),
      el("td", {className: "num completeness"}, percent(source.completeness)),
      el("td", {className: "num validity"}, percent(source.validity)),
      el("td", {className: "num features"}, ui.formatNumber(source.feature_count)),
      el("td", {className: "actions"}, actions(source)));
    if (source.subject === state.source) row.classList.add("highlight");
    return [row, runs.rowFor(source.subject, COLUMNS)];
  }

  function renderSummary(listing) {
    counts.replaceChildren(...Object.keys(labels.liveness).map((code) => el("li", {},
      el("button", {type: "button", className: "liveness-count", dataset: {liveness: code},
                    "aria-pressed": String(state.filters.liveness === code),
                    on: {click: () => setFilter("liveness",
                                                state.filters.liveness === code ? "" : code)}},
         livenessBadge(code), " ", el("strong", {}, ui.formatNumber(listing.counts[code] || 0))))));
    checkedAt.textContent = listing.checked_at
      ? t("checked_at", {time: ui.formatDateTime(listing.checked_at)}) : t("never_checked");
  }

  function render() {
    const listing = state.listing;
    if (!listing) return;
    renderSummary(listing);
    const shown = listing.results.filter((source) => !state.filters.liveness
                                         || source.liveness === state.filters.liveness);
    rows.replaceChildren(...(shown.length ? shown.flatMap(sourceRow).filter(Boolean)
      : [el("tr", {className: "empty"}, el("td", {colSpan: COLUMNS}, t("empty")))]));
    table.dataset.state = "ready";
    highlight();
  }

  function highlight() {
    if (!state.source) return;
    const row = rows.querySelector(`tr[data-subject="${CSS.escape(state.source)}"]`);
    if (!row) {
      notice.textContent = t("not_found", {subject: state.source});
      return;
    }
    if (notice.dataset.kind !== "error") notice.textContent = "";
    if (!state.scrolled) {
      state.scrolled = true;
      row.scrollIntoView({block: "center", inline: "nearest"});
    }
  }

  // ---- loading ----------------------------------------------------------------------------
  function listUrl() {
    const query = new URLSearchParams();
    for (const name of ["sector", "kind"]) {
      if (state.filters[name]) query.set(name, state.filters[name]);
    }
    const search = query.toString();
    return config.list_url + (search ? "?" + search : "");
  }

  function showError(error) {
    notice.dataset.kind = "error";
    notice.textContent = t("error", {message: error.message});
  }

  async function load() {
    const asked = ++state.asked;
    table.dataset.state = "loading";
    try {
      const listing = await ui.api(listUrl());
      if (asked !== state.asked) return;
      state.listing = listing;
      delete notice.dataset.kind;
      render();
    } catch (error) {
      if (asked !== state.asked) return;
      table.dataset.state = "error";
      showError(error);
    }
  }

  /** Re-check every source first when the caller may (the listing is the last check's). */
  async function refresh(check) {
    if (check && config.may_check) {
      if (checkButton) checkButton.disabled = true;
      checkedAt.textContent = t("checking");
      try {
        await ui.api(config.check_url, {method: "POST"});
      } catch (error) {
        showError(error);
      } finally {
        if (checkButton) checkButton.disabled = false;
      }
    }
    await load();
    alerts.load();
  }

  // ---- state in the URL -------------------------------------------------------------------
  function syncUrl() {
    const query = new URLSearchParams();
    for (const name of FILTERS) if (state.filters[name]) query.set(name, state.filters[name]);
    if (state.source) query.set("source", state.source);
    const search = query.toString().replace(/%3A/g, ":");  // as the alerts' links write it
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  function setFilter(name, value) {
    state.filters[name] = value;
    form.elements[name].value = value;
    syncUrl();
    if (name === "liveness") render(); else load();
  }

  /** Highlight one source (an alert's link); clear the filters if they hide it. */
  function select(subject) {
    state.source = subject;
    state.scrolled = false;
    rows.querySelectorAll("tr.highlight").forEach((row) => row.classList.remove("highlight"));
    const row = rows.querySelector(`tr[data-subject="${CSS.escape(subject)}"]`);
    if (row) {
      row.classList.add("highlight");
      syncUrl();
      highlight();
      return;
    }
    for (const name of FILTERS) {
      state.filters[name] = "";
      form.elements[name].value = "";
    }
    syncUrl();
    load();
  }

  function fillFilters() {
    for (const name of FILTERS) {
      const select = form.elements[name];
      select.replaceChildren(el("option", {value: ""}, t("all")),
        ...Object.entries(labels[name]).map(([code, text]) => el("option", {value: code}, text)));
      select.value = state.filters[name] || "";
      select.addEventListener("change", () => setFilter(name, select.value));
    }
    form.addEventListener("submit", (event) => event.preventDefault());
  }

  fillFilters();
  runs.onFinished(() => refresh(true));
  alerts.onSelect(select);
  if (checkButton) checkButton.addEventListener("click", () => refresh(true));
  load();
  alerts.load();
  window.iocData = {state, load, refresh, select};
})();
