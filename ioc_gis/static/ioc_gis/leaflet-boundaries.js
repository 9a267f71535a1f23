/* Background for every django-leaflet map widget: our own administrative boundaries, fetched
   from our API. There is no external tile server on a closed government network. */
(function () {
  "use strict";
  var STYLES = {
    province: { color: "#37474f", weight: 2.5, fill: true, fillColor: "#eef3f6", fillOpacity: 1 },
    commune: { color: "#78909c", weight: 0.8, fill: false }
  };

  function unitsUrl(level) {
    return "/api/units/?level=" + level + "&geometry=true&limit=1000";
  }

  function addUnits(map, level, pane) {
    return fetch(unitsUrl(level), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (page) {
        var features = page.results.map(function (unit) {
          return { type: "Feature", geometry: unit.geometry,
                   properties: { code: unit.code, name: unit.name } };
        });
        var layer = L.geoJSON(features, { style: STYLES[level], pane: pane, interactive: level === "commune",
          onEachFeature: function (feature, lyr) {
            // textContent-safe: bindTooltip with a string would be parsed as HTML.
            var label = document.createElement("span");
            label.textContent = feature.properties.name + " (" + feature.properties.code + ")";
            lyr.bindTooltip(label, { sticky: true });
          } });
        layer.addTo(map);
        map.getContainer().setAttribute("data-ioc-" + level + "-count", String(features.length));
        return layer;
      });
  }

  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    map.createPane("iocBasemap");
    map.getPane("iocBasemap").style.zIndex = 150;  // below overlays (400) and the edited geometry
    addUnits(map, "province", "iocBasemap").then(function () {
      return addUnits(map, "commune", "iocBasemap");
    }).then(function () {
      map.getContainer().setAttribute("data-ioc-basemap", "ready");
    }).catch(function () {
      map.getContainer().setAttribute("data-ioc-basemap", "failed");
    });
  });
})();
