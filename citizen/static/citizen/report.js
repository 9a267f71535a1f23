/* The report form (/phan-anh/): a pin on our map (tap, drag, the phone's position, the map's
 * centre or typed coordinates), photos checked before they are sent, the duplicates near the
 * pin offered before sending, then POST /api/incidents/ and the photos one by one to
 * /api/reports/{id}/photos/. The API decides everything (routing, the province's border,
 * photo cleaning); this script only collects, checks the obvious, and explains. */
(function () {
  "use strict";

  const form = document.getElementById("report-form");
  if (!form || !window.iocCitizen) return;
  const C = window.iocCitizen;
  const t = C.t;
  const limits = C.config;
  const $ = (id) => document.getElementById(id);
  const fields = {
    category: $("category"), lat: $("lat"), lon: $("lon"), address: $("address"),
    description: $("description"), photos: $("photos"), reporter_name: $("reporter_name"),
    reporter_phone: $("reporter_phone"), reporter_email: $("reporter_email"),
  };
  const mapContainer = $("map");
  const locationStatus = $("location-status");
  const submitButton = $("submit-report");
  const submitStatus = $("submit-status");
  const summary = $("form-errors");
  const duplicates = $("duplicates");

  let map = null;
  let marker = null;
  let photos = [];          // [{file, url}]
  let sending = false;
  let acknowledged = null;  // the category+pin whose duplicates the citizen has set aside
  let offered = null;       // the category+pin whose duplicates are on show
  let locating = null;      // AbortController of the running /api/units/locate/ call

  // ---- errors -----------------------------------------------------------------------------
  // Each message goes next to its field (#<name>-error) and into the summary at the top.
  const ERROR_SLOT = {lat: "location", lon: "location", category: "category",
                      title: "description", description: "description", photos: "photos",
                      address: "address", reporter_name: "reporter_name",
                      reporter_phone: "reporter_phone", reporter_email: "reporter_email"};
  const FOCUS = {location: "map", submit: "submit-report"};

  function setFieldError(slot, message) {
    const box = $(slot + "-error");
    if (box) {
      box.textContent = message || "";
      box.hidden = !message;
    }
    const input = slot === "location" ? null : $(slot);
    if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  function clearErrors() {
    for (const slot of new Set(Object.values(ERROR_SLOT))) setFieldError(slot, "");
    summary.hidden = true;
    summary.replaceChildren();
  }

  /** errors: [{slot, message}] — shown by their fields and listed, linked, at the top. */
  function showErrors(heading, errors) {
    const list = document.createElement("ul");
    for (const error of errors) {
      setFieldError(error.slot, error.message);
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = "#" + (FOCUS[error.slot] || error.slot);  // a field's id is its slot
      link.textContent = error.message;
      item.append(link);
      list.append(item);
    }
    const title = document.createElement("p");
    title.textContent = heading;
    summary.replaceChildren(title, list);
    summary.hidden = false;
    summary.focus();
  }

  // ---- location -----------------------------------------------------------------------------
  function currentPoint() {
    const lat = parseFloat(fields.lat.value);
    const lon = parseFloat(fields.lon.value);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return {lon: lon, lat: lat};
  }

  function say(message, warning) {
    locationStatus.textContent = message;
    locationStatus.classList.toggle("field-error", Boolean(warning));
  }

  /** The commune under the pin, from /api/units/locate/ (a hint; the API decides on send). */
  async function describePlace(point) {
    const coordinates = point.lat.toFixed(5) + ", " + point.lon.toFixed(5);
    say(t("location_set", {place: coordinates}));
    if (locating) locating.abort();
    locating = new AbortController();
    const query = new URLSearchParams({lon: point.lon, lat: point.lat});
    let answer;
    try {
      answer = await C.request("GET", form.dataset.locateUrl + "?" + query,
                               {signal: locating.signal});
    } catch (error) {
      return;  // superseded by a newer pin
    }
    if (!answer.ok) return;
    const commune = (answer.data.units || []).find((unit) => unit.level === "commune");
    if (commune) {
      say(t("location_set", {place: commune.name + " (" + coordinates + ")"}));
    } else {
      say(t("location_set", {place: coordinates}) + " " + t("location_outside"), true);
    }
  }

  function setPin(lon, lat, how) {
    const options = how || {};
    if (!options.typed) {
      fields.lon.value = lon.toFixed(6);
      fields.lat.value = lat.toFixed(6);
    }
    if (map) {
      if (!marker) {
        marker = new maplibregl.Marker({draggable: true, color: "#c62828"})
          .setLngLat([lon, lat]).addTo(map);
        marker.on("dragend", () => {
          const where = marker.getLngLat();
          setPin(where.lng, where.lat);
        });
      } else {
        marker.setLngLat([lon, lat]);
      }
      if (options.fly) map.easeTo({center: [lon, lat], zoom: Math.max(map.getZoom(), 15)});
    }
    setFieldError("location", "");
    hideDuplicates();
    describePlace({lon: lon, lat: lat});
  }

  function typedCoordinates() {
    const point = currentPoint();
    if (point) {
      setPin(point.lon, point.lat, {fly: true, typed: true});
    } else if (fields.lat.value !== "" && fields.lon.value !== "") {
      setFieldError("location", t("invalid_coordinates"));
    }
  }
  fields.lat.addEventListener("change", typedCoordinates);
  fields.lon.addEventListener("change", typedCoordinates);

  $("use-my-location").addEventListener("click", () => {
    if (!("geolocation" in navigator)) {
      say(t("geo_unsupported"), true);
      return;
    }
    say(t("geo_locating"));
    navigator.geolocation.getCurrentPosition(
      (position) => setPin(position.coords.longitude, position.coords.latitude, {fly: true}),
      (error) => {
        const key = {1: "geo_denied", 2: "geo_unavailable", 3: "geo_timeout"}[error.code];
        say(t(key || "geo_unavailable"), true);
      },
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });

  $("pin-at-centre").addEventListener("click", () => {
    if (!map) return;
    const centre = map.getCenter();
    setPin(centre.lng, centre.lat);
  });

  C.createMap(mapContainer, t("map_failed_report")).then((created) => {
    map = created;
    if (!map) {
      $("pin-at-centre").hidden = true;
      form.querySelector("details.coordinates").open = true;
      return;
    }
    map.on("click", (event) => setPin(event.lngLat.lng, event.lngLat.lat));
    const point = currentPoint();  // typed before the map came, or kept by the browser
    if (point) setPin(point.lon, point.lat, {fly: true, typed: true});
  });

  // ---- photos ----------------------------------------------------------------------------
  const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

  function renderPhotos() {
    $("photo-count").textContent = photos.length
      ? t("photo_count", {n: photos.length, max: limits.max_photos}) : "";
    const list = $("photo-list");
    list.replaceChildren(...photos.map((photo, index) => {
      const item = document.createElement("li");
      const image = document.createElement("img");
      image.src = photo.url;
      image.alt = photo.file.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", t("photo_remove", {name: photo.file.name}));
      remove.addEventListener("click", () => {
        URL.revokeObjectURL(photo.url);
        photos.splice(index, 1);
        renderPhotos();
        fields.photos.focus();
      });
      item.append(image, remove);
      return item;
    }));
  }

  fields.photos.addEventListener("change", () => {
    const problems = [];
    for (const file of Array.from(fields.photos.files)) {
      if (photos.length >= limits.max_photos) {
        problems.push(t("too_many_photos", {max: limits.max_photos}));
        break;
      }
      if (!PHOTO_TYPES.includes(file.type)) {
        problems.push(t("photo_bad_type", {name: file.name}));
      } else if (file.size > limits.max_photo_bytes) {
        problems.push(t("photo_too_big", {name: file.name,
                                          mb: Math.floor(limits.max_photo_bytes / 1048576)}));
      } else {
        photos.push({file: file, url: URL.createObjectURL(file)});
      }
    }
    fields.photos.value = "";  // the list above holds them; the same file may be chosen again
    setFieldError("photos", problems.join(" "));
    renderPhotos();
  });

  // ---- checks before sending ---------------------------------------------------------------
  const PHONE = /^\+?[0-9 .-]{8,20}$/;

  function check() {
    const errors = [];
    if (!fields.category.value) errors.push({slot: "category", message: t("required_category")});
    if (!currentPoint()) errors.push({slot: "location", message: t("required_location")});
    if (!fields.description.value.trim()) {
      errors.push({slot: "description", message: t("required_description")});
    }
    const phone = fields.reporter_phone.value.trim();
    if (phone && !PHONE.test(phone)) {
      errors.push({slot: "reporter_phone", message: t("invalid_phone")});
    }
    if (fields.reporter_email.value.trim() && !fields.reporter_email.checkValidity()) {
      errors.push({slot: "reporter_email", message: t("invalid_email")});
    }
    return errors;
  }

  /** The API wants a short title: the first line of the description, cut at a word. */
  function titleOf(text) {
    const line = text.trim().split(/\n/)[0].replace(/\s+/g, " ");
    if (line.length <= 100) return line;
    const cut = line.slice(0, 100);
    return cut.slice(0, cut.lastIndexOf(" ") > 60 ? cut.lastIndexOf(" ") : 100) + "…";
  }

  // ---- duplicates near the pin ----------------------------------------------------------
  function hideDuplicates() {
    duplicates.hidden = true;
    offered = null;
  }

  function duplicateItem(report) {
    const item = document.createElement("li");
    const title = document.createElement("strong");
    title.textContent = report.title;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [report.id, (C.strings.statuses || {})[report.status] || report.status,
                        t("duplicate_distance", {m: Math.round(report.distance_m)}),
                        C.formatTime(report.created_at)].join(" · ");
    const follow = document.createElement("a");
    follow.href = C.withId(form.dataset.trackUrl, report.id);
    follow.textContent = t("duplicate_follow");
    follow.className = "follow";
    item.append(title, meta, follow);
    return item;
  }

  /** True when duplicates are now on show and sending waits for the citizen's choice. */
  async function offerDuplicates(point, key) {
    if (acknowledged === key) return false;
    submitStatus.textContent = t("checking_duplicates");
    const query = new URLSearchParams({category: fields.category.value, lon: point.lon,
                                       lat: point.lat});
    const answer = await C.request("GET", form.dataset.duplicatesUrl + "?" + query);
    submitStatus.textContent = "";
    if (!answer.ok || !answer.data.length) return false;  // nothing near, or not known now
    $("duplicate-list").replaceChildren(...answer.data.map(duplicateItem));
    duplicates.hidden = false;
    offered = key;
    duplicates.focus();
    return true;
  }

  $("send-anyway").addEventListener("click", () => {
    acknowledged = offered;
    hideDuplicates();
    submit();
  });

  // ---- sending ------------------------------------------------------------------------
  function reportBody(point) {
    const body = {category: fields.category.value, lon: point.lon, lat: point.lat,
                  title: titleOf(fields.description.value),
                  description: fields.description.value.trim()};
    // Optional fields go only when filled: the API's defaults stand for "not given".
    for (const name of ["address", "reporter_name", "reporter_phone", "reporter_email"]) {
      const value = fields[name].value.trim();
      if (value) body[name] = value;
    }
    return body;
  }

  function apiErrors(answer) {
    if (answer.code === "outside_province") return [{slot: "location", message: answer.message}];
    const errors = [];
    for (const [name, messages] of Object.entries(answer.details || {})) {
      const slot = ERROR_SLOT[name];
      if (slot && Array.isArray(messages)) errors.push({slot: slot, message: messages.join(" ")});
    }
    return errors.length ? errors : [{slot: "submit", message: answer.message}];
  }

  async function sendPhotos(reportId) {
    const failed = [];
    let sent = 0;
    const url = C.withId(form.dataset.photosUrl, reportId);
    for (const [index, photo] of photos.entries()) {
      submitStatus.textContent = t("uploading_photo", {n: index + 1, total: photos.length});
      const data = new FormData();
      data.append("photo", photo.file, photo.file.name);
      const answer = await C.request("POST", url, {form: data});
      if (answer.ok) {
        sent += 1;
      } else {
        failed.push(t("photo_failed", {name: photo.file.name, message: answer.message}));
      }
    }
    return {sent: sent, failed: failed};
  }

  function showDone(report, photoResult) {
    $("done-id").textContent = report.id;
    $("done-link").href = C.withId(form.dataset.trackUrl, report.id);
    $("done-agency").textContent = t("done_agency", {agency: report.agency,
                                                      due: C.formatTime(report.due_at)});
    const lines = [];
    if (photoResult.sent) lines.push(t("photos_sent", {n: photoResult.sent}));
    $("done-photos").textContent = lines.concat(photoResult.failed).join(" ");
    for (const photo of photos) URL.revokeObjectURL(photo.url);
    form.hidden = true;
    const done = $("report-done");
    done.hidden = false;
    done.focus();
    done.scrollIntoView({block: "start"});
  }

  async function submit() {
    if (sending) return;
    clearErrors();
    const errors = check();
    if (errors.length) {
      showErrors(t("fix_errors"), errors);
      return;
    }
    const point = currentPoint();
    sending = true;
    submitButton.disabled = true;
    try {
      if (await offerDuplicates(point, fields.category.value + "|" + point.lon + "|" + point.lat)) {
        return;
      }
      submitStatus.textContent = t("sending");
      const answer = await C.request("POST", form.dataset.apiUrl, {json: reportBody(point)});
      if (!answer.ok) {
        submitStatus.textContent = "";
        showErrors(t("send_failed", {message: answer.message}), apiErrors(answer));
        return;
      }
      const photoResult = await sendPhotos(answer.data.id);
      submitStatus.textContent = "";
      showDone(answer.data, photoResult);
    } finally {
      sending = false;
      submitButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  fields.category.addEventListener("change", () => {
    setFieldError("category", "");
    hideDuplicates();
  });
})();
