/* Runs from the data page (window.iocDataRuns): a file upload to a FILE connector
 * (POST multipart to its upload_url, with the page's CSRF token) or a pull of a pull connector
 * (POST pull_url), then the run followed every `poll_ms` until SUCCEEDED or FAILED: phase,
 * progress bar, the counts read / inserted / updated / unchanged / rejected, the message and,
 * when rows were rejected, the validation report (CSV). The run's panel is a table row under
 * its source's row, drawn from `runs` so it survives the table being redrawn; when a run ends,
 * `onFinished` tells the page to refresh. Messages come from files and feeds: text only. */
(function () {
  "use strict";

  const ui = window.iocUi;
  const {el, t} = ui;
  const config = ui.config;
  const labels = config.labels;
  const DONE = new Set(["SUCCEEDED", "FAILED"]);
  const ACCEPT = ".geojson,.json,.gpkg,.zip,.csv,.kml,.kmz,.xlsx";
  const MAX_POLL_FAILURES = 5;
  const runs = new Map();  // subject → {sending, run, error, columns}
  let finished = () => {};

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const fill = (url, id) => url.replace("{id}", encodeURIComponent(id));

  function active(subject) {
    const entry = runs.get(subject);
    return Boolean(entry && !entry.error && (entry.sending || (entry.run
                                                               && !DONE.has(entry.run.status))));
  }

  function label(group, code) {
    return Object.prototype.hasOwnProperty.call(labels[group], code) ? labels[group][code] : code;
  }

  // ---- the run's panel --------------------------------------------------------------------
  function progressBar(run) {
    if (run && DONE.has(run.status)) return el("progress", {max: 1, value: 1});
    if (run && run.progress_total > 0) {
      return el("progress", {max: run.progress_total, value: run.progress_done});
    }
    return el("progress", {});  // indeterminate: sending, queued, or counting
  }

  function outcome(run) {
    if (!DONE.has(run.status)) return [];
    const parts = [el("p", {className: "run-counts"}, run.source_not_modified
      ? t("run_not_modified")
      : t("run_counts", {read: ui.formatNumber(run.rows_read),
                         inserted: ui.formatNumber(run.rows_inserted),
                         updated: ui.formatNumber(run.rows_updated),
                         unchanged: ui.formatNumber(run.rows_unchanged),
                         rejected: ui.formatNumber(run.rows_rejected)}))];
    // A succeeded run's message repeats the counts; a failed run's says why.
    if (run.status === "FAILED" && run.message) {
      parts.push(el("p", {className: "run-message"}, run.message));
    }
    if (run.rows_rejected > 0 && typeof run.report_url === "string"
        && run.report_url.startsWith("/") && !run.report_url.startsWith("//")) {
      parts.push(el("p", {}, el("a", {href: run.report_url, download: "",
                                      className: "report-link"}, t("run_report"))));
    }
    return parts;
  }

  function panel(subject, entry) {
    const run = entry.run;
    const box = el("div", {className: "run", dataset: {status: run ? run.status : "SENDING"}});
    if (run) {
      box.append(el("p", {className: "run-title"},
                    t("run_title", {id: run.id, status: label("run_status", run.status)}),
                    run.phase && !DONE.has(run.status)
                      ? el("span", {className: "muted"}, " · ",
                           t("run_phase", {phase: label("run_phase", run.phase)})) : null));
    } else if (!entry.error) {
      box.append(el("p", {className: "run-title"}, t("sending")));
    }
    if (!entry.error || run) box.append(progressBar(run));
    if (run) box.append(...outcome(run));
    if (entry.error) box.append(el("p", {className: "error", role: "alert"}, entry.error));
    if (!active(subject)) {
      box.append(el("button", {type: "button", className: "run-close",
                               on: {click: () => close(subject)}}, t("close")));
    }
    return box;
  }

  function rowFor(subject, columns) {
    const entry = runs.get(subject);
    if (!entry) return null;
    entry.columns = columns;
    return el("tr", {className: "run-row", dataset: {runFor: subject}},
              el("td", {colSpan: columns}, panel(subject, entry)));
  }

  function redraw(subject) {
    const body = document.getElementById("source-rows");
    const selector = CSS.escape(subject);
    const source = body.querySelector(`tr[data-subject="${selector}"]`);
    const old = body.querySelector(`tr[data-run-for="${selector}"]`);
    const entry = runs.get(subject);
    const fresh = entry ? rowFor(subject, entry.columns
                                 || document.querySelectorAll("#source-table thead th").length)
      : null;
    if (old && fresh) old.replaceWith(fresh);
    else if (old) old.remove();
    else if (source && fresh) source.after(fresh);
    if (source) {
      source.querySelectorAll("button.run-start").forEach((button) => {
        button.disabled = active(subject);
      });
    }
  }

  function set(subject, patch) {
    runs.set(subject, {...(runs.get(subject) || {}), ...patch});
    redraw(subject);
  }

  function close(subject) {
    runs.delete(subject);
    redraw(subject);
  }

  // ---- sending and following ----------------------------------------------------------------
  async function follow(subject, url) {
    let failures = 0;
    for (;;) {
      const entry = runs.get(subject);
      if (!entry || !entry.run) return;  // closed meanwhile
      if (DONE.has(entry.run.status)) break;
      await sleep(config.poll_ms);
      try {
        set(subject, {run: await ui.api(url)});
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures >= MAX_POLL_FAILURES) {
          set(subject, {error: t("run_lost", {message: error.message})});
          return;
        }
      }
    }
    finished(subject);
  }

  async function begin(subject, send) {
    if (active(subject)) return;
    runs.set(subject, {});
    set(subject, {sending: true});
    let run;
    try {
      run = await send();
    } catch (error) {
      const current = error.code === "pull_in_progress" && error.details && error.details.run;
      if (!current) {
        set(subject, {sending: false, error: t("run_error", {message: error.message})});
        return;
      }
      run = {id: current, status: "QUEUED"};  // follow the pull already under way
    }
    set(subject, {sending: false, run: run});
    await follow(subject, fill(config.run_url, run.id));
  }

  function uploadControl(source) {
    const input = el("input", {type: "file", accept: ACCEPT, className: "visually-hidden",
                               tabIndex: -1,
                               "aria-label": t("upload_label", {name: source.name})});
    input.addEventListener("change", () => {
      const file = input.files[0];
      input.value = "";
      if (!file) return;
      const body = new FormData();
      body.append("file", file);
      begin(source.subject, () => ui.api(source.connector.upload_url,
                                         {method: "POST", body: body}));
    });
    const button = el("button", {type: "button", className: "run-start upload-button",
                                 disabled: active(source.subject),
                                 on: {click: () => input.click()}}, t("upload"));
    return el("span", {className: "upload"}, button, input);
  }

  function pullButton(source) {
    return el("button", {type: "button", className: "run-start pull-button",
                         disabled: active(source.subject),
                         on: {click: () => begin(source.subject, () => ui.api(
                           source.connector.pull_url, {method: "POST"}))}},
              t("pull"));
  }

  window.iocDataRuns = {uploadControl, pullButton, rowFor, runs,
                        onFinished: (callback) => { finished = callback; }};
})();
