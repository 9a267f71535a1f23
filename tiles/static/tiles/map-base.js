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

  /* A vector source's tile URLs changed (another date, time window or data version).
   * MapLibre's source.setTiles() alone can leave a tile showing the old URL's data for good:
   * a tile still in flight when the source reloads is not fetched again, its old response is
   * only re-parsed (maplibre-gl-js#6251). So when tiles were in flight at that moment, every
   * tile is fetched once more as soon as none is loading: the map then shows only new data.
   * Returns whether anything changed. */
  const pendingSwaps = new WeakMap();  // map → {sourceId: {tiles, listener}} of the latest swap

  window.iocSetTiles = function (map, sourceId, tiles) {
    const source = map.getSource(sourceId);
    if (!source || typeof source.setTiles !== "function") return false;
    const wanted = tiles.join(" ");
    const swaps = pendingSwaps.get(map) || {};
    pendingSwaps.set(map, swaps);
    const pending = swaps[sourceId];
    // source.tiles changes only once the source has reloaded: a pending swap is the truth.
    const current = pending ? pending.tiles : (source.tiles || []).join(" ");
    if (current === wanted) return false;
    if (pending) map.off("sourcedata", pending.listener);  // superseded
    let reloaded = false, stale = false;
    const finish = () => {
      map.off("sourcedata", listener);
      if (swaps[sourceId] && swaps[sourceId].listener === listener) delete swaps[sourceId];
    };
    const listener = (event) => {
      if (event.sourceId !== sourceId) return;
      if (!reloaded) {
        // The new URLs are in place; the source reloads its tiles right after this event,
        // and a tile loading now would keep the old data.
        if (event.sourceDataType !== "metadata") return;
        reloaded = true;
        stale = !map.isSourceLoaded(sourceId);
        if (!stale) finish();
        return;
      }
      if (stale && map.isSourceLoaded(sourceId)) {
        finish();
        map.refreshTiles(sourceId);
      }
    };
    swaps[sourceId] = {tiles: wanted, listener};
    map.on("sourcedata", listener);
    source.setTiles(tiles);
    return true;
  };
})();
