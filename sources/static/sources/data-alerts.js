/* The data page's alerts panel (window.iocDataAlerts): the caller's open alerts from
 * GET /api/alerts/?state=open, newest first, each with its severity, title, detail, time,
 * department, a link to its source's row and — for those who may — an "acknowledge" button
 * (POST …/acknowledge/) that turns into who saw it and when. Titles and details name sources
 * from files and feeds: text only. Without the panel (no right to read alerts) it does nothing. */
(function () {
  "use strict";

  const ui = window.iocUi;
  const {el, t} = ui;
  const config = ui.config;
  const labels = config.labels;
  const LIMIT = 100;
  const list = document.getElementById("alert-list");
  const status = document.getElementById("alerts-status");
  const state = {alerts: [], count: 0, asked: 0};
  let select = null;

  if (!list) {
    window.iocDataAlerts = {load() {}, onSelect() {}, state};
    return;
  }

  function label(group, code, fallback) {
    return Object.prototype.hasOwnProperty.call(labels[group], code) ? labels[group][code]
      : (fallback || code);
  }

  /** The source an internal alert link names on this page, if it does. */
  function subjectOf(link) {
    const url = new URL(link, location.origin);
    return url.origin === location.origin && url.pathname === location.pathname
      ? url.searchParams.get("source") : null;
  }

  function sourceLink(alert) {
    const link = alert.link;
    if (typeof link !== "string" || !link.startsWith("/") || link.startsWith("//")) return null;
    return el("a", {href: link, className: "alert-link", on: {click: (event) => {
      const subject = subjectOf(link);
      if (subject && select) {
        event.preventDefault();
        select(subject);
      }
    }}}, t("alert_source"));
  }

  async function acknowledge(alert, button) {
    button.disabled = true;
    try {
      const seen = await ui.api(config.acknowledge_url.replace("{id}", String(alert.id)),
                                {method: "POST"});
      state.alerts = state.alerts.map((item) => (item.id === seen.id ? seen : item));
      render();
    } catch (error) {
      button.disabled = false;
      status.textContent = t("error", {message: error.message});
    }
  }

  function acknowledgement(alert) {
    if (alert.acknowledged_at) {
      return el("span", {className: "acknowledged"},
                t("acknowledged", {who: alert.acknowledged_by || "–",
                                   time: ui.formatDateTime(alert.acknowledged_at)}));
    }
    if (!config.may_acknowledge) return null;
    const button = el("button", {type: "button", className: "acknowledge"}, t("acknowledge"));
    button.addEventListener("click", () => acknowledge(alert, button));
    return button;
  }

  function item(alert) {
    const severity = String(alert.severity).toLowerCase();
    return el("li", {className: `alert severity-${severity}`,
                     dataset: {alert: String(alert.id), subject: alert.subject}},
      el("p", {className: "alert-head"},
         el("span", {className: "badge"}, label("severity", alert.severity, alert.severity_label)),
         " ", el("span", {className: "muted"}, label("alert_kind", alert.kind, alert.kind_label))),
      el("p", {className: "alert-title"}, alert.title),
      alert.detail ? el("p", {className: "alert-detail"}, alert.detail) : null,
      el("p", {className: "alert-meta muted"},
         el("time", {dateTime: alert.raised_at},
            t("alert_raised", {time: ui.formatDateTime(alert.raised_at)})),
         " · ", t("alert_department", {department: alert.owner_department})),
      el("p", {className: "alert-actions"}, sourceLink(alert), " ", acknowledgement(alert)));
  }

  function render() {
    list.replaceChildren(...state.alerts.map(item));
    status.textContent = !state.alerts.length ? t("alerts_empty")
      : state.count > state.alerts.length
        ? t("alerts_more", {shown: state.alerts.length, count: state.count}) : "";
    list.dataset.state = "ready";
  }

  async function load() {
    const asked = ++state.asked;
    list.dataset.state = "loading";
    try {
      const answer = await ui.api(`${config.alerts_url}?state=open&limit=${LIMIT}`);
      if (asked !== state.asked) return;
      state.alerts = answer.results;
      state.count = answer.count;
      render();
    } catch (error) {
      if (asked !== state.asked) return;
      list.dataset.state = "error";
      status.textContent = t("error", {message: error.message});
    }
  }

  window.iocDataAlerts = {load, state, onSelect: (callback) => { select = callback; }};
})();
