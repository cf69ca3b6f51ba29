// The city map: district boundaries shipped with the platform (no tiles needed), an
// optional tile layer, a marker, and a picker that writes the clicked place into a form.
(function () {
  "use strict";

  function init(el) {
    var map = L.map(el, { attributionControl: !!el.dataset.tiles, zoomSnap: 0.25 });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    }
    var marker = null;
    function place(lat, lng) {
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.marker([lat, lng], { keyboard: false }).addTo(map);
    }
    var picker = el.dataset.pick ? document.getElementById(el.dataset.pick) : null;
    function pick(latlng, areaCode) {
      if (!picker) return;
      var lat = picker.querySelector("[name=lat]"), lng = picker.querySelector("[name=lng]");
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      var area = picker.querySelector("[name=area]");
      if (areaCode && area && !area.value) area.value = areaCode;
      lat.dispatchEvent(new Event("input", { bubbles: true }));
      place(latlng.lat, latlng.lng);
    }
    fetch(el.dataset.geo).then(function (response) { return response.json(); }).then(function (geo) {
      var layer = L.geoJSON(geo, {
        style: function (feature) {
          var outline = feature.properties.code === el.dataset.city;
          return outline
            ? { color: "#12355b", weight: 2.5, fill: false, interactive: false }
            : { color: "#0b5cad", weight: 1, fillColor: "#9ec5ea", fillOpacity: 0.25 };
        },
        onEachFeature: function (feature, shape) {
          if (feature.properties.code === el.dataset.city) return;
          shape.bindTooltip(feature.properties.name, { sticky: true });
          shape.on("click", function (event) { pick(event.latlng, feature.properties.code); });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      if (el.dataset.lat && el.dataset.lng) {
        place(+el.dataset.lat, +el.dataset.lng);
        map.setView([+el.dataset.lat, +el.dataset.lng], 12);
      }
      el.dataset.ready = "true";
    });
    map.on("click", function (event) { pick(event.latlng, ""); });
    // A drafted place moves the marker there.
    el.addEventListener("hotline:place", function (event) {
      place(event.detail.lat, event.detail.lng);
      map.setView([event.detail.lat, event.detail.lng], 13);
    });
    // Choosing an area in the form moves the map there.
    var points = el.dataset.points ? JSON.parse(document.getElementById(el.dataset.points).textContent) : {};
    if (picker) {
      var area = picker.querySelector("[name=area]");
      if (area) area.addEventListener("change", function () {
        var point = points[area.value];
        if (point) map.setView([point[1], point[2]], point[3] ? 13 : 11);
      });
      var lat = picker.querySelector("[name=lat]"), lng = picker.querySelector("[name=lng]");
      if (lat && lat.value && lng.value) place(+lat.value, +lng.value);
    }
    return map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(init);
  });
})();
