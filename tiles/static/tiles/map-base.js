/* The map every page of ours starts from: MapLibre's CSP build with its worker at our own URL,
 * our style, a shareable #zoom/lat/lon hash, navigation and scale controls. The page's map
 * element carries data-worker-url and data-style-url (no inline script). The map is also
 * `window.iocMap`, for the browser tests and for poking at it in the console. */
(function () {
  "use strict";

  window.iocMapCreate = function (container) {
    const absolute = (url) => new URL(url, window.location.href).href;
    maplibregl.setWorkerUrl(absolute(container.dataset.workerUrl));
    const map = new maplibregl.Map({
      container: container,
      style: absolute(container.dataset.styleUrl),
      hash: true,  // #zoom/lat/lon: a view can be shared or opened directly
      attributionControl: {compact: true},
    });
    window.iocMap = map;
    map.addControl(new maplibregl.NavigationControl(), "bottom-right");
    map.addControl(new maplibregl.ScaleControl({unit: "metric"}), "top-right");
    return map;
  };
})();
