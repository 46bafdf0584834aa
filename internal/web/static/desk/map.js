// map.js: the desk's maps, drawn from GeoJSON files this server embeds so
// they work with no internet at all, and a canvas layer that keeps 100,000
// incidents fluid by drawing one dot per few pixels instead of one object
// per incident.
"use strict";
(function () {
  // Colours live in desk.css as custom properties, so the legend and the
  // map cannot disagree.
  function colour(key) {
    return getComputedStyle(document.documentElement).getPropertyValue("--" + key).trim() || "#555";
  }

  // base makes a Leaflet map over the embedded basemap. Zoom animation is
  // off: the dots are redrawn at each zoom level instead of being scaled.
  function base(el, opts) {
    const map = L.map(el, Object.assign({ zoomAnimation: false, fadeAnimation: false, zoomSnap: 0.25, minZoom: 4, maxZoom: 14,
      attributionControl: true, worldCopyJump: false }, opts || {}));
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · OCHA (CC BY-IGO)");
    const loaded = Promise.all([
      fetch("/static/basemap/countries.geojson").then((r) => r.json()),
      fetch("/static/basemap/syr_admin1.geojson").then((r) => r.json()),
    ]).then(([countries, admin1]) => {
      L.geoJSON(countries, { interactive: false, style: (f) => ({
        color: "#8a99a8", weight: 1, fillColor: f.properties.iso_a3 === "SYR" ? "#fbfaf5" : "#eceae2", fillOpacity: 1 }) }).addTo(map);
      const gov = L.geoJSON(admin1, { interactive: false, style: { color: "#5b6b7b", weight: 1, dashArray: "3 3", fill: false } }).addTo(map);
      return { gov };
    });
    return { map, loaded };
  }

  // mercator returns the point's position on the Web Mercator square
  // [0,1]², which times 256·2^zoom is Leaflet's pixel position at that zoom.
  function mercator(lon, lat) {
    const s = Math.sin(Math.max(-85, Math.min(85, lat)) * Math.PI / 180);
    return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
  }

  // DotLayer draws points on a canvas over the map. At each zoom level it
  // bins them into cells of `cell` pixels; each cell is one dot sized by its
  // count and coloured by its most common category.
  const DotLayer = L.Layer.extend({
    initialize: function (opts) {
      this.cell = (opts && opts.cell) || 7;
      this.n = 0;
    },
    // setData takes parallel arrays (ids, lons, lats, and cats: each point's
    // category index) and the colours of the categories.
    setData: function (ids, lons, lats, cats, colours) {
      this.n = ids.length;
      this.ids = ids;
      this.cats = cats;
      this.colours = colours;
      this.mx = new Float64Array(this.n);
      this.my = new Float64Array(this.n);
      for (let i = 0; i < this.n; i++) {
        const m = mercator(lons[i], lats[i]);
        this.mx[i] = m[0];
        this.my[i] = m[1];
      }
      this.binnedZoom = null;
      if (this._map) this.redraw();
    },
    setCategories: function (cats, colours) {
      this.cats = cats;
      this.colours = colours;
      this.binnedZoom = null;
      if (this._map) this.redraw();
    },
    onAdd: function (map) {
      this.canvas = L.DomUtil.create("canvas", "dots");
      this.canvas.setAttribute("aria-hidden", "true");
      map.getContainer().appendChild(this.canvas);
      map.on("move zoom resize viewreset", this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("move zoom resize viewreset", this.redraw, this);
      this.canvas.remove();
    },
    bin: function (zoom) {
      const scale = 256 * Math.pow(2, zoom), c = this.cell, cells = new Map();
      for (let i = 0; i < this.n; i++) {
        const x = Math.floor(this.mx[i] * scale / c), y = Math.floor(this.my[i] * scale / c);
        const key = x * 1e7 + y;
        let cell = cells.get(key);
        if (!cell) {
          cell = { x: (x + 0.5) * c, y: (y + 0.5) * c, members: [], counts: new Array(this.colours.length).fill(0) };
          cells.set(key, cell);
        }
        cell.members.push(i);
        cell.counts[this.cats[i]]++;
      }
      this.cells = Array.from(cells.values());
      for (const cell of this.cells) {
        let best = 0;
        for (let k = 1; k < cell.counts.length; k++) if (cell.counts[k] > cell.counts[best]) best = k;
        cell.cat = best;
        cell.r = Math.min(3.5 + 1.6 * Math.sqrt(cell.members.length), 16);
      }
      this.binnedZoom = zoom;
    },
    redraw: function () {
      const map = this._map;
      if (!map) return;
      const size = map.getSize(), ratio = window.devicePixelRatio || 1;
      if (this.canvas.width !== size.x * ratio || this.canvas.height !== size.y * ratio) {
        this.canvas.width = size.x * ratio;
        this.canvas.height = size.y * ratio;
        this.canvas.style.width = size.x + "px";
        this.canvas.style.height = size.y + "px";
      }
      const ctx = this.canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      if (!this.n) return;
      const zoom = map.getZoom();
      if (this.binnedZoom !== zoom) this.bin(zoom);
      const origin = map.getPixelBounds().min;
      ctx.lineWidth = 1;
      ctx.strokeStyle = "rgba(255,255,255,.9)";
      for (const cell of this.cells) {
        const x = cell.x - origin.x, y = cell.y - origin.y;
        if (x < -20 || y < -20 || x > size.x + 20 || y > size.y + 20) continue;
        ctx.beginPath();
        ctx.arc(x, y, cell.r, 0, 2 * Math.PI);
        ctx.globalAlpha = 0.85;
        ctx.fillStyle = this.colours[cell.cat];
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.stroke();
      }
    },
    // near returns the IDs of the incidents drawn under a container point.
    near: function (pt) {
      if (!this.cells) return [];
      const origin = this._map.getPixelBounds().min, out = [];
      for (const cell of this.cells) {
        const dx = cell.x - origin.x - pt.x, dy = cell.y - origin.y - pt.y;
        if (dx * dx + dy * dy <= (cell.r + 3) * (cell.r + 3)) for (const i of cell.members) out.push(this.ids[i]);
      }
      return out;
    },
  });

  window.TruceMap = { base, colour, DotLayer, syria: [[32.3, 35.6], [37.4, 42.4]] };
})();
