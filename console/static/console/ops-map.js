/* The console's map (/ops/): our style for the signed-in user, focused on the incidents layer.
 *  - The list's filters reach the incidents tiles as the tile endpoint's own filters
 *    (`status`, `category` — a sector is its categories —, `since`, `until`): the source's
 *    tile URLs are re-set with them, plus `v=<data_version>` when the live feed announces a
 *    newer version (the operator map's refresh; docs/adr/0009-live-push.md).
 *  - Filters the tiles do not know (unit, text, overdue) dim the tiles instead; the incidents of
 *    the list are always drawn on top as rings (GeoJSON source `ops-items`), the selected one
 *    larger. A filter that leaves no category hides the tiles.
 *  - Other overlay layers of the style are hidden: this map is about incidents.
 * window.iocOpsMap(container, {layer, onPick}) → {map, setTileFilters, want, setItems, itemIds,
 * select, fitItems, pulse, flyTo}. */
(function () {
  "use strict";

  const ITEMS = "ops-items";
  const DIM_OPACITY = 0.3;
  const PULSE_MS = 60000;
  const DETAIL_ZOOM = 16;

  window.iocOpsMap = function (container, options) {
    const slug = options.layer;
    const map = window.iocMapCreate(container);
    let filterQuery = "";     // the tiles' filters, e.g. "category=a,b&status=new"
    let hidden = false;       // no category left: nothing to draw
    let dimmed = false;       // filters the tiles cannot apply are active
    let wanted = null;        // newest data_version heard of
    let baseTiles = null;     // the TileJSON's tile URLs without a query
    let items = {type: "FeatureCollection", features: []};
    let selected = "";
    let styled = false;
    const pulses = new Map();

    function incidentLayers() {
      return (map.getStyle().layers || []).filter((l) => l.source === slug);
    }

    /** Tile URLs with the filters and the version; only set when they change. */
    function syncTiles() {
      const source = map.getSource(slug);
      if (!source || typeof source.setTiles !== "function" || !Array.isArray(source.tiles)) return;
      if (baseTiles === null) baseTiles = source.tiles.map((url) => url.split("?")[0]);
      const query = [filterQuery, wanted === null ? "" : "v=" + wanted].filter(Boolean).join("&");
      const urls = baseTiles.map((url) => (query ? url + "?" + query : url));
      window.iocSetTiles(map, slug, urls);
    }

    function syncLayers() {
      if (!styled) return;
      for (const layer of incidentLayers()) {
        map.setLayoutProperty(layer.id, "visibility", hidden ? "none" : "visible");
        const property = layer.type === "circle" ? "circle-opacity"
          : layer.type === "symbol" ? "text-opacity" : null;
        if (property) map.setPaintProperty(layer.id, property, dimmed ? DIM_OPACITY : 1);
      }
    }

    function syncItems() {
      const source = map.getSource(ITEMS);
      if (!source) return;
      source.setData(items);
      map.setFilter(ITEMS + "-selected", ["==", ["get", "id"], selected]);
    }

    map.on("load", () => {
      for (const layer of map.getStyle().layers) {
        const owner = layer.metadata && layer.metadata["ioc:layer"];
        if (owner && owner !== slug) map.setLayoutProperty(layer.id, "visibility", "none");
      }
      map.addSource(ITEMS, {type: "geojson", data: items});
      map.addLayer({id: ITEMS + "-rings", type: "circle", source: ITEMS, paint: {
        "circle-radius": 8, "circle-color": "rgba(0,0,0,0)", "circle-stroke-width": 3,
        "circle-stroke-color": ["coalesce", ["get", "colour"], "#0b5cad"]}});
      map.addLayer({id: ITEMS + "-selected", type: "circle", source: ITEMS,
                    filter: ["==", ["get", "id"], ""], paint: {
                      "circle-radius": 13, "circle-color": "rgba(11,92,173,0.15)",
                      "circle-stroke-width": 3, "circle-stroke-color": "#0b5cad"}});
      styled = true;
      syncLayers();
      syncItems();
      syncTiles();
    });
    map.on("sourcedata", (event) => {
      if (event.sourceId === slug && event.sourceDataType === "metadata") syncTiles();
    });
    map.on("click", (event) => {
      const pickable = [ITEMS + "-rings"].concat(incidentLayers()
        .filter((l) => l.id.endsWith("-points")).map((l) => l.id));
      const found = map.queryRenderedFeatures(event.point, {layers: pickable.filter(
        (id) => map.getLayer(id))});
      const hit = found.find((f) => f.properties && f.properties.id);
      if (hit) options.onPick(hit.properties.id);
    });
    map.on("dataloading", () => { container.dataset.iocState = "loading"; });
    map.on("idle", () => { container.dataset.iocState = "idle"; });

    return {
      map: map,
      /** filters: {query: "status=…&category=…", hidden, dimmed} */
      setTileFilters(filters) {
        filterQuery = filters.query;
        hidden = filters.hidden;
        dimmed = filters.dimmed;
        syncLayers();
        syncTiles();
      },
      want(version) {
        if (typeof version !== "number" || (wanted !== null && version <= wanted)) return;
        wanted = version;
        syncTiles();
      },
      /** incidents: [{id, lon, lat, status}] — the list's, drawn as rings. */
      setItems(incidents, colours) {
        items = {type: "FeatureCollection", features: incidents
          .filter((i) => isFinite(i.lon) && isFinite(i.lat))
          .map((i) => ({type: "Feature", geometry: {type: "Point", coordinates: [i.lon, i.lat]},
                        properties: {id: i.id, status: i.status, colour: colours[i.status]}}))};
        syncItems();
      },
      /** Tracking ids of the incidents drawn as rings (the list's). */
      itemIds() { return items.features.map((f) => f.properties.id); },
      select(id) {
        selected = id || "";
        syncItems();
      },
      fitItems() {
        const points = items.features.map((f) => f.geometry.coordinates);
        if (!points.length) return;
        const bounds = points.reduce((b, p) => b.extend(p),
                                     new maplibregl.LngLatBounds(points[0], points[0]));
        map.fitBounds(bounds, {padding: 60, maxZoom: 14, duration: 0});
      },
      flyTo(lon, lat) {
        if (!isFinite(lon) || !isFinite(lat)) return;
        map.flyTo({center: [lon, lat], zoom: Math.max(map.getZoom(), DETAIL_ZOOM)});
      },
      /** A pulsing marker where an event happened, for PULSE_MS. */
      pulse(event) {
        if (!isFinite(event.lon) || !isFinite(event.lat)) return;
        const old = pulses.get(event.id);
        if (old) { clearTimeout(old.timer); old.marker.remove(); }
        const element = document.createElement("div");
        element.className = "pulse status-" + event.status;
        const marker = new maplibregl.Marker({element: element})
          .setLngLat([event.lon, event.lat]).addTo(map);
        const timer = setTimeout(() => { marker.remove(); pulses.delete(event.id); }, PULSE_MS);
        pulses.set(event.id, {marker: marker, timer: timer});
      },
    };
  };
})();
