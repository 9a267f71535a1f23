/* Tile preview (/tiles/preview/): our MapLibre style full-window, with a panel that lists the
 * sector layers of the style (metadata "ioc:layer", "ioc:title", "ioc:legend"), toggles them
 * and shows their legends. No inline script: the page passes its URLs in data- attributes.
 * MapLibre's CSP build loads its worker from our own URL, so the CSP needs no blob: worker.
 * `window.iocMap` is the map, for the browser tests and for poking at it in the console. */
(function () {
  "use strict";

  const container = document.getElementById("map");
  const list = document.getElementById("layer-list");
  const status = document.getElementById("map-status");

  const map = window.iocMapCreate(container);  // tiles/map-base.js

  /** Sector layers of the style: one entry per "ioc:layer", with every style layer it draws. */
  function sectorLayers(style) {
    const groups = new Map();
    for (const layer of style.layers) {
      const meta = layer.metadata || {};
      const slug = meta["ioc:layer"];
      if (!slug) continue;
      if (!groups.has(slug)) {
        groups.set(slug, {slug: slug, title: meta["ioc:title"] || slug,
                          legend: meta["ioc:legend"] || [], ids: []});
      }
      groups.get(slug).ids.push(layer.id);
    }
    return Array.from(groups.values());
  }

  function setVisible(group, visible) {
    for (const id of group.ids) {
      map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
    }
  }

  function swatch(colour) {
    const span = document.createElement("span");
    span.className = "swatch";
    span.style.backgroundColor = colour;
    return span;
  }

  function legendList(entries) {
    const ul = document.createElement("ul");
    ul.className = "legend";
    for (const entry of entries) {
      const li = document.createElement("li");
      li.append(swatch(entry.color), document.createTextNode(entry.label));
      ul.append(li);
    }
    return ul;
  }

  /** A checkbox per layer; one colour beside its title, or its categories' colours below. */
  function layerItem(group) {
    const li = document.createElement("li");
    li.dataset.layer = group.slug;
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.name = "layer";
    box.value = group.slug;
    box.addEventListener("change", () => setVisible(group, box.checked));
    label.append(box);
    const single = group.legend.length === 1;
    if (single) label.append(swatch(group.legend[0].color));
    label.append(document.createTextNode(group.title));
    li.append(label);
    if (!single && group.legend.length) li.append(legendList(group.legend));
    return li;
  }

  function showPosition() {
    const c = map.getCenter();
    status.textContent = "Mức thu phóng " + map.getZoom().toFixed(1) + " · " +
      c.lng.toFixed(3) + ", " + c.lat.toFixed(3);
  }

  map.once("load", () => {
    const groups = sectorLayers(map.getStyle());
    list.replaceChildren(...groups.map(layerItem));
    if (groups.length === 0) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "Không có lớp chuyên đề nào bạn được xem.";
      list.append(li);
    }
    showPosition();
  });
  map.on("moveend", showPosition);
  map.on("dataloading", () => { container.dataset.iocState = "loading"; });
  map.on("idle", () => { container.dataset.iocState = "idle"; });
  // With a listener MapLibre no longer logs errors itself: keep them in the console.
  map.on("error", (event) => {
    const message = event.error ? event.error.message : String(event);
    status.textContent = "Lỗi tải bản đồ: " + message;
    console.error("ioc-gis preview:", message);
  });
})();
