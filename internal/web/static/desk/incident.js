// incident.js draws the incident's place on a small map of the basemap.
"use strict";
(function () {
  const el = document.getElementById("mini-map");
  if (!el) return;
  const lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  const { map, loaded } = TruceMap.base(el, { keyboard: true });
  map.setView([lat, lon], 7);
  loaded.then(() => {
    L.circleMarker([lat, lon], { radius: 8, weight: 2, color: "#fff", fillColor: TruceMap.colour("g-" + el.dataset.grade), fillOpacity: 1 }).addTo(map);
    el.dataset.ready = "true";
  });
})();
