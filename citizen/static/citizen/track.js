/* The tracking page (/phan-anh/PA-XXXXXXXX/): the public history and replies from
 * GET /api/reports/{id}/ (public events only; replies signed by a unit, never a person), the
 * place on our map, and once the report is resolved a 1–5 rating sent to
 * POST /api/reports/{id}/rating/. API text is always written as text, never as HTML. */
(function () {
  "use strict";

  const article = document.getElementById("report");
  if (!article || !window.iocCitizen) return;
  const C = window.iocCitizen;
  const t = C.t;
  const $ = (id) => document.getElementById(id);

  const statusName = (code) => (C.strings.statuses || {})[code] || code;

  function item(title, iso, text, textClass) {
    const li = document.createElement("li");
    const strong = document.createElement("strong");
    strong.textContent = title;
    li.append(strong, C.timeElement(iso));
    if (text) {
      const p = document.createElement("p");
      p.className = textClass;
      p.textContent = text;
      li.append(p);
    }
    return li;
  }

  function placeholder(text) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = text;
    return li;
  }

  function renderHistory(events) {
    const items = events.map((event) => item(
      event.kind === "transition" ? t("status_to", {status: statusName(event.to_status)})
        : (C.strings.events || {})[event.kind] || t("event_other"),
      event.at, event.note, "note"));
    $("history").replaceChildren(...(items.length ? items : [placeholder(t("no_history"))]));
  }

  /** Replies as the API gives them; tolerant of the field names a reply may carry. */
  function renderReplies(replies) {
    const items = replies.map((reply) => {
      const unit = reply.by_unit || reply.author_unit || reply.unit || "";
      return item(unit ? t("reply_by", {unit: unit}) : "", reply.at || reply.created_at,
                  reply.text || reply.body || "", "text");
    });
    $("replies").replaceChildren(...(items.length ? items : [placeholder(t("no_replies"))]));
  }

  function renderStatus(report) {
    const status = $("status");
    status.textContent = statusName(report.status);
    status.className = "status status-" + report.status;
    status.dataset.status = report.status;
  }

  function showRated(rating) {
    const done = $("rating-done");
    done.textContent = t("rating_thanks", {n: rating});
    done.hidden = false;
    $("rating").hidden = false;
    const ratingForm = $("rating-form");
    if (ratingForm) ratingForm.remove();
  }

  async function load() {
    const answer = await C.request("GET", article.dataset.apiUrl);
    if (!answer.ok) {
      $("history").replaceChildren(placeholder(t("loading_failed", {message: answer.message})));
      return;
    }
    const report = answer.data;
    renderStatus(report);
    renderHistory(report.events || []);
    renderReplies(report.replies || report.comments || []);
    if (report.rating) showRated(report.rating);
  }

  async function showMap() {
    const container = $("map");
    const lon = parseFloat(container.dataset.lon);
    const lat = parseFloat(container.dataset.lat);
    const map = await C.createMap(container, t("map_failed"),
                                  {bounds: null, center: [lon, lat], zoom: 14});
    if (!map) return;
    new maplibregl.Marker({color: "#c62828"}).setLngLat([lon, lat]).addTo(map);
  }

  const ratingForm = $("rating-form");
  if (ratingForm) {
    ratingForm.addEventListener("change", () => {
      const chosen = ratingForm.querySelector("input[name=rating]:checked");
      const label = chosen &&
        ratingForm.querySelector("label[for=" + chosen.id + "] .visually-hidden");
      if (label) $("rating-choice").textContent = label.textContent;
    });
    ratingForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = ratingForm.querySelector("input[name=rating]:checked");
      const status = $("rating-status");
      if (!chosen) {
        status.textContent = t("choose_rating");
        return;
      }
      const button = ratingForm.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = t("rating_sending");
      const answer = await C.request("POST", article.dataset.ratingUrl,
                                     {json: {rating: Number(chosen.value)}});
      button.disabled = false;
      if (answer.ok) {
        showRated(answer.data.rating);
        load();
      } else {
        status.textContent = t("rating_failed", {message: answer.message});
      }
    });
  }

  load();
  showMap();
})();
