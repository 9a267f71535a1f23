/* The console's detail drawer (/ops/): one incident from GET /api/incidents/{id}/ and its
 * comments — details, the SLA countdown, photos, the workflow moves this user may make
 * (exactly the API's `allowed_transitions`; "assigned" with a unit to pick), history, replies
 * and internal notes. Everything from data is set as text (iocUi.el): a title such as
 * `<img src=x onerror=…>` stays text.
 * window.iocOpsSla: the countdown, shared with the list. window.iocOpsDrawer(options) →
 * {open(id), refresh(), close(), currentId()}; options: {config, onChanged(detail), onClose}. */
(function () {
  "use strict";

  const ui = window.iocUi;
  const {el, t} = ui;
  const OPEN = ["new", "verified", "assigned", "in_progress"];
  const DONE = ["resolved", "closed"];
  const SOON = 0.25;  // amber when less than this share of the handling time is left

  function duration(ms) {
    const total = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(total / 86400);
    const pad = (n) => String(n).padStart(2, "0");
    const clock = pad(Math.floor(total / 3600) % 24) + ":" + pad(Math.floor(total / 60) % 60) +
      ":" + pad(total % 60);
    return days ? t("days", {n: days}) + " " + clock : clock;
  }

  /** The countdown of an incident: {state: ok|soon|overdue|done|stopped, text}. */
  function sla(dueAt, status, slaHours, now) {
    if (DONE.includes(status)) return {state: "done", text: t("sla_done")};
    if (!OPEN.includes(status) || !dueAt) return {state: "stopped", text: t("sla_stopped")};
    const left = new Date(dueAt).getTime() - now;
    if (left < 0) return {state: "overdue", text: t("sla_overdue", {time: duration(left)})};
    const soon = slaHours ? left < slaHours * 3600000 * SOON : false;
    return {state: soon ? "soon" : "ok", text: t("sla_left", {time: duration(left)})};
  }

  /** Refresh every countdown on the page (elements with data-due, data-status, data-sla). */
  function tick() {
    const now = Date.now();
    for (const element of document.querySelectorAll("[data-due]")) {
      const state = sla(element.dataset.due, element.dataset.status,
                        Number(element.dataset.sla) || 0, now);
      element.dataset.state = state.state;
      element.textContent = state.text;
    }
  }

  window.iocOpsSla = {sla: sla, tick: tick, duration: duration};

  window.iocOpsDrawer = function (options) {
    const config = options.config;
    const drawer = document.getElementById("drawer");
    const title = document.getElementById("drawer-title");
    const body = document.getElementById("drawer-body");
    const message = document.getElementById("drawer-message");
    const units = new Map(config.units.map((u) => [u[0], u[1]]));
    const categories = new Map(config.categories.map((c) => [c.code, c]));
    let current = null;  // tracking id shown
    let loading = 0;     // sequence number: a late answer for an older open() is dropped

    const url = (id, tail) => config.api.incidents + encodeURIComponent(id) + "/" + (tail || "");
    const unitName = (code) => (code ? units.get(code) || t("unknown_unit", {code: code}) : "");

    function say(text, kind) {
      message.hidden = !text;
      message.textContent = text || "";
      message.dataset.kind = kind || "info";
    }

    function row(label, value) {
      if (value === undefined || value === null || value === "") return null;
      return [el("dt", {text: label}), el("dd", {}, value)];
    }

    function details(d) {
      const category = categories.get(d.category);
      const due = el("time", {dateTime: d.due_at}, ui.formatDateTime(d.due_at));
      const origin = [d.origin, d.origin_system, d.origin_ref, d.origin_url].filter(Boolean)
        .join(" · ");
      const reporter = d.reporter ? [d.reporter.name, d.reporter.phone, d.reporter.email]
        .filter(Boolean).join(" · ") : "";
      return el("section", {className: "drawer-details"},
        el("p", {className: "drawer-status"},
           el("span", {className: "badge status-" + d.status, id: "drawer-status",
                       dataset: {status: d.status}}, config.statuses[d.status] || d.status),
           " ", el("span", {className: "severity severity-" + d.severity},
                   config.severities[d.severity] || d.severity)),
        el("div", {className: "sla"},
           el("span", {className: "sla-title"},
              t("sla_title", {hours: ui.formatNumber(Number(d.sla_hours))})),
           el("strong", {id: "drawer-sla", className: "sla-countdown",
                         dataset: {due: d.due_at, status: d.status, sla: d.sla_hours}})),
        el("p", {className: "drawer-description", id: "drawer-description"}, d.description),
        el("dl", {},
           row(t("category"), category ? category.name : d.category_name),
           row(t("channel"), config.channels[d.channel] || d.channel),
           row(t("address"), d.address),
           row(t("commune"), unitName(d.commune_code)),
           row(t("assigned_unit"), unitName(d.assigned_unit_code)),
           row(t("agency"), d.agency),
           row(t("created_at"), ui.formatDateTime(d.created_at)),
           row(t("due_at"), due),
           row(t("resolved_at"), d.resolved_at ? ui.formatDateTime(d.resolved_at) : ""),
           row(t("origin"), origin),
           row(t("reporter"), reporter)),
        d.escalation_level ? el("p", {className: "escalated"},
                                t("escalated", {level: d.escalation_level})) : null);
    }

    function photos(d) {
      const list = (d.photos || []).map((p) => el("li", {},
        el("a", {href: p.url, target: "_blank", rel: "noopener"},
           el("img", {src: p.url, alt: t("photo_alt", {number: p.number, id: d.id}),
                      loading: "lazy", width: p.width, height: p.height}))));
      return el("section", {className: "drawer-photos"}, el("h3", {text: t("photos")}),
        list.length ? el("ul", {className: "photos", id: "drawer-photos"}, list)
          : el("p", {className: "muted", text: t("no_photos")}));
    }

    function actions(d) {
      const allowed = d.allowed_transitions || [];
      const section = el("section", {className: "drawer-actions"}, el("h3", {text: t("actions")}));
      if (!allowed.length) {
        section.append(el("p", {className: "muted", text: t("no_actions")}));
        return section;
      }
      const buttons = allowed.filter((to) => to !== "assigned").map((to) =>
        el("button", {type: "button", className: "action status-" + to, dataset: {to: to},
                      on: {click: () => move(d, to)}}, config.actions[to] || to));
      section.append(
        el("label", {className: "note"}, t("note"),
           el("textarea", {id: "action-note", rows: 2, maxLength: 2000})),
        el("label", {className: "check"},
           el("input", {type: "checkbox", id: "action-public", checked: true}), " ",
           t("note_public")),
        el("div", {className: "action-buttons", id: "action-buttons"}, buttons));
      if (allowed.includes("assigned")) {
        const select = el("select", {id: "assign-unit"}, config.units.map((u) =>
          el("option", {value: u[0], selected: u[0] === d.assigned_unit_code}, u[1])));
        section.append(el("div", {className: "assign"},
          el("label", {}, t("assign_to"), " ", select),
          el("button", {type: "button", className: "action", dataset: {to: "assigned"},
                        on: {click: () => move(d, "assigned", select.value)}},
             config.actions.assigned)));
      }
      return section;
    }

    function history(d) {
      const items = (d.events || []).map((e) => el("li", {dataset: {kind: e.kind}},
        el("time", {dateTime: e.at}, ui.formatDateTime(e.at)), " ",
        el("strong", {}, config.event_kinds[e.kind] || e.kind),
        e.kind === "transition" ? " " + (config.statuses[e.from_status] || e.from_status) +
          " → " + (config.statuses[e.to_status] || e.to_status) : "",
        e.is_public ? null : el("span", {className: "tag"}, t("internal")),
        e.actor ? el("span", {className: "muted"}, " " + t("by", {actor: e.actor})) : null,
        e.note ? el("p", {className: "event-note"}, e.note) : null));
      return el("section", {className: "drawer-history"}, el("h3", {text: t("history")}),
                el("ol", {className: "history", id: "drawer-history"}, items));
    }

    function comments(d, list) {
      const items = list.map((c) => el("li", {className: c.is_public ? "public" : "internal",
                                              dataset: {id: c.id}},
        el("p", {className: "comment-head"},
           el("span", {className: "tag"}, c.is_public ? t("reply_public") : t("note_internal")),
           " ", el("time", {dateTime: c.at}, ui.formatDateTime(c.at)),
           " · ", [c.by_unit, c.author].filter(Boolean).join(" · ")),
        el("p", {className: "comment-text"}, c.text)));
      const section = el("section", {className: "drawer-comments"},
        el("h3", {text: t("comments")}),
        items.length ? el("ol", {className: "comments", id: "drawer-comments"}, items)
          : el("p", {className: "muted", id: "drawer-comments-empty", text: t("no_comments")}));
      if (config.can_comment) {
        const text = el("textarea", {id: "comment-text", rows: 3, maxLength: 2000, required: true});
        const kind = (value, label, checked) => el("label", {className: "check"},
          el("input", {type: "radio", name: "comment-kind", value: value, checked: checked}),
          " ", label);
        section.append(el("form", {id: "comment-form", className: "comment-form",
                                   on: {submit: (event) => { event.preventDefault();
                                                             comment(d, text.value); }}},
          el("label", {}, t("comment_text"), text),
          el("div", {}, kind("internal", t("note_internal"), true),
             kind("public", t("reply_public"), false)),
          el("button", {type: "submit"}, t("comment_send"))));
      }
      return section;
    }

    /** What the user has typed survives a re-render (a live event for the open incident). */
    function typed() {
      const value = (id) => { const e = document.getElementById(id); return e ? e.value : null; };
      const kind = drawer.querySelector("input[name=comment-kind]:checked");
      return {note: value("action-note"), comment: value("comment-text"),
              kind: kind ? kind.value : null};
    }

    function restore(saved) {
      const set = (id, v) => { const e = document.getElementById(id); if (e && v) e.value = v; };
      set("action-note", saved.note);
      set("comment-text", saved.comment);
      if (saved.kind) {
        const radio = drawer.querySelector(`input[name=comment-kind][value=${saved.kind}]`);
        if (radio) radio.checked = true;
      }
    }

    function render(d, list) {
      const saved = typed();
      title.textContent = d.id + " · " + d.title;
      drawer.dataset.id = d.id;
      drawer.dataset.status = d.status;
      body.replaceChildren(details(d), photos(d), actions(d), history(d), comments(d, list));
      restore(saved);
      tick();
    }

    async function load(id) {
      const sequence = ++loading;
      drawer.dataset.state = "loading";
      try {
        const [detail, page] = await Promise.all([
          ui.api(url(id)), ui.api(url(id, "comments/") + "?limit=200")]);
        if (sequence !== loading || current !== id) return null;
        render(detail, page.results || []);
        drawer.dataset.state = "ready";
        return detail;
      } catch (error) {
        if (sequence !== loading) return null;
        drawer.dataset.state = "error";
        say(t("drawer_error", {message: error.message}), "error");
        return null;
      }
    }

    function busy(on) {
      for (const b of body.querySelectorAll("button, textarea, select, input")) b.disabled = on;
    }

    async function move(d, to, unit) {
      const note = document.getElementById("action-note");
      const shared = document.getElementById("action-public");
      const payload = {to: to, public: shared ? shared.checked : true};
      if (note && note.value.trim()) payload.note = note.value.trim();  // blank: none
      if (unit) payload.assigned_unit = unit;
      busy(true);
      try {
        const answer = await ui.api(url(d.id, "transition/"), {method: "POST", body: payload});
        if (note) note.value = "";
        say(t("action_done", {status: config.statuses[answer.status] || answer.status}), "ok");
        const detail = await load(d.id);
        if (detail) options.onChanged(detail);
      } catch (error) {
        say(t("action_error", {message: error.message}), "error");
        busy(false);
      }
    }

    async function comment(d, text) {
      const kind = drawer.querySelector("input[name=comment-kind]:checked");
      busy(true);
      try {
        await ui.api(url(d.id, "comments/"), {method: "POST", body: {
          text: text, public: kind ? kind.value === "public" : false}});
        document.getElementById("comment-text").value = "";
        say(t("comment_sent"), "ok");
        await load(d.id);
      } catch (error) {
        say(t("comment_error", {message: error.message}), "error");
        busy(false);
      }
    }

    function close() {
      current = null;
      loading++;
      drawer.hidden = true;
      delete drawer.dataset.id;
      options.onClose();
    }

    document.getElementById("drawer-close").addEventListener("click", close);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !drawer.hidden) close();
    });

    return {
      open(id) {
        if (current !== id) {
          current = id;
          say("");
          title.textContent = id;
          body.replaceChildren(el("p", {className: "muted", text: t("drawer_loading")}));
        }
        drawer.hidden = false;
        return load(id);
      },
      refresh() { return current ? load(current) : Promise.resolve(null); },
      close: close,
      currentId() { return current; },
    };
  };
})();
