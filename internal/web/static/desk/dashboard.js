// dashboard.js: the map, counts, chart and table for the filter in the
// query string. Changing a filter refetches and rewrites the URL, so the
// address bar always holds a view that can be shared.
"use strict";
(function () {
  const form = document.getElementById("filters");
  const mapEl = document.getElementById("map");
  const summary = document.getElementById("summary");
  const legend = document.getElementById("legend");
  const chart = document.getElementById("chart");
  const tbody = document.querySelector("#recent tbody");
  const share = document.getElementById("share");
  const exportLink = document.getElementById("export");
  const fields = ["since", "until", "party", "type", "grade", "admin1", "color"];

  const { map } = TruceMap.base(mapEl, { keyboard: true });
  map.fitBounds(TruceMap.syria);
  const dots = new TruceMap.DotLayer().addTo(map);
  let data = null, request = 0;

  const labels = { "": "ungraded", not_violation: "not a violation" };
  const label = (k) => labels[k] !== undefined ? labels[k] : k;

  function query() {
    const q = new URLSearchParams();
    for (const f of fields) {
      const v = form.elements[f].value;
      if (v && !(f === "color" && v === "grade")) q.set(f, v);
    }
    return q;
  }

  function fromURL() {
    const q = new URLSearchParams(location.search);
    for (const f of fields) form.elements[f].value = q.get(f) || (f === "color" ? "grade" : "");
  }

  function text(tag, s, cls) {
    const e = document.createElement(tag);
    e.textContent = s;
    if (cls) e.className = cls;
    return e;
  }

  async function load(push) {
    const q = query();
    const mine = ++request;
    if (push !== undefined) history[push ? "pushState" : "replaceState"](null, "", "/desk" + (q.toString() ? "?" + q : ""));
    share.href = location.pathname + location.search;
    mapEl.dataset.state = "loading";
    delete mapEl.dataset.ready;
    summary.textContent = "Loading incidents…";
    q.delete("color");
    let ans;
    try {
      const r = await fetch("/api/v1/map/incidents?" + q, { headers: { Accept: "application/json" } });
      if (r.status === 401) { location.href = "/desk/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
      ans = await r.json();
      if (!r.ok) throw new Error(ans.error ? ans.error.message : r.statusText);
    } catch (e) {
      if (mine !== request) return;
      summary.textContent = "Could not load the incidents: " + e.message;
      mapEl.dataset.state = "error";
      return;
    }
    if (mine !== request) return; // a newer filter is on its way
    data = ans;
    decodePoints(ans.points);
    if (!form.elements.since.value) form.elements.since.value = ans.since;
    if (!form.elements.until.value) form.elements.until.value = ans.until;
    const ex = new URLSearchParams(q);
    ex.set("since", ans.since_at);
    ex.set("until", ans.until_at);
    exportLink.href = "/api/v1/exports/incidents.geojson?" + ex;
    draw();
  }

  // decodePoints turns the answer's compact columns back into IDs and
  // degrees: IDs come as differences from the one before, positions in
  // hundred-thousandths of a degree.
  function decodePoints(p) {
    const n = p.id_delta.length;
    p.id = new Float64Array(n);
    p.lon = new Float64Array(n);
    p.lat = new Float64Array(n);
    for (let i = 0, id = 0; i < n; i++) {
      id += p.id_delta[i];
      p.id[i] = id;
      p.lon[i] = p.lon_e5[i] / 1e5;
      p.lat[i] = p.lat_e5[i] / 1e5;
    }
  }

  // draw shows the loaded data with the chosen colour key.
  function draw() {
    const byVerdict = form.elements.color.value === "verdict" && data.verdicts;
    const keys = byVerdict ? data.verdicts : data.grades;
    const cats = byVerdict ? data.points.verdict : data.points.grade;
    const colours = keys.map((k) => TruceMap.colour((byVerdict ? "v-" : "g-") + (k || "ungraded")));
    dots.setData(data.points.id, data.points.lon, data.points.lat, cats, colours);

    const n = data.total, m = data.mapped;
    summary.replaceChildren(text("strong", n.toLocaleString("en")), document.createTextNode(
      (n === 1 ? " incident" : " incidents") + ", " + m.toLocaleString("en") + " on the map" +
      (n > m && !data.truncated ? " (" + (n - m).toLocaleString("en") + " without coordinates)" : "") + "."));
    if (data.points_since) {
      summary.append(text("span", " The window holds more than " + data.limit.toLocaleString("en") +
        ": the map and the table show those from " + data.points_since + " on; narrow the filter to see the rest.", "error"));
    } else if (data.truncated) {
      summary.append(text("span", " The map shows the first " + data.limit.toLocaleString("en") + "; narrow the filter to see the rest.", "error"));
    }

    const counts = new Array(keys.length).fill(0);
    for (const c of cats) counts[c]++;
    legend.replaceChildren();
    legend.setAttribute("aria-label", "Colour key: " + (byVerdict ? "verdict" : "verification grade"));
    keys.forEach((k, i) => {
      const li = document.createElement("li");
      li.append(text("span", "", "swatch k-" + (k || "ungraded")), text("span", label(k)), text("span", counts[i].toLocaleString("en"), "n"));
      legend.append(li);
    });
    if (form.elements.color.value === "verdict" && !data.verdicts) legend.append(text("li", "No verdicts are stored yet: coloured by grade.", "muted"));

    drawChart();
    drawTable();
    document.getElementById("tz").textContent = "(local days, " + data.time_zone + ")";
    mapEl.dataset.count = String(m);
    mapEl.dataset.state = "ready";
    mapEl.dataset.ready = "true";
  }

  const svgNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, parent) {
    const e = document.createElementNS(svgNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.append(e);
    return e;
  }

  function addDays(day, n) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  // drawChart draws the incidents per day as bars, with the peak and the
  // window's ends labelled; each bar's title gives its day and count.
  function drawChart() {
    const v = data.daily, W = 600, H = 180, L = 34, B = 22, T = 8;
    const peak = Math.max(1, ...v), bw = (W - L - 4) / v.length;
    const total = v.reduce((a, b) => a + b, 0);
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
      "aria-label": `${total} incidents from ${data.since} to ${addDays(data.until, -1)}, at most ${peak} a day` });
    svg("line", { x1: L, y1: H - B, x2: W, y2: H - B, class: "axis" }, s);
    svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }, s);
    const t = svg("text", { x: L - 4, y: T + 8, "text-anchor": "end" }, s);
    t.textContent = String(peak);
    const z = svg("text", { x: L - 4, y: H - B, "text-anchor": "end" }, s);
    z.textContent = "0";
    v.forEach((c, i) => {
      if (!c) return;
      const h = (H - B - T) * c / peak;
      const r = svg("rect", { x: L + 1 + i * bw, y: H - B - h, width: Math.max(bw - (bw > 3 ? 1 : 0), 0.6), height: h, class: "bar" }, s);
      svg("title", {}, r).textContent = `${addDays(data.since, i)}: ${c}`;
    });
    const ticks = [0, Math.floor(v.length / 2), v.length - 1];
    ticks.forEach((i, j) => {
      const e = svg("text", { x: L + i * bw + (j === 2 ? bw : 0), y: H - 6, "text-anchor": ["start", "middle", "end"][j] }, s);
      e.textContent = addDays(data.since, i);
    });
    chart.replaceChildren(s);
  }

  function drawTable() {
    tbody.replaceChildren();
    if (!data.recent.length) {
      const tr = document.createElement("tr");
      const td = text("td", "No incidents match this filter.");
      td.colSpan = 5;
      tr.append(td);
      tbody.append(tr);
    }
    for (const r of data.recent) {
      const tr = document.createElement("tr");
      const a = text("a", "#" + r.id + " " + r.type);
      a.href = "/desk/incidents/" + r.id;
      const where = text("td", [r.location, r.admin1].filter(Boolean).join(" · "));
      where.dir = "auto";
      const td = document.createElement("td");
      td.append(a);
      tr.append(text("td", r.day), td, where, text("td", label(r.grade)), text("td", String(r.deaths)));
      tbody.append(tr);
    }
  }

  // describe labels a popup's link with the incident's type, day and
  // place, fetched on click: the map's data carries only what it draws.
  async function describe(a, id) {
    try {
      const r = await fetch("/api/v1/incidents/" + id, { headers: { Accept: "application/json" } });
      if (!r.ok) return;
      const inc = await r.json();
      const day = new Date(inc.occurred_at).toLocaleDateString("en-CA", { timeZone: data.time_zone });
      a.textContent = ["#" + id + " " + inc.sub_event_type, day, inc.location].filter(Boolean).join(" · ");
    } catch (e) {
      // The link still leads to the incident.
    }
  }

  map.on("click", (e) => {
    const ids = dots.near(e.containerPoint);
    if (!ids.length) return;
    const box = document.createElement("div");
    box.append(text("strong", ids.length === 1 ? "1 incident" : ids.length + " incidents"));
    const ul = document.createElement("ul"), described = [];
    for (const id of ids.slice(0, 12)) {
      const li = document.createElement("li"), a = text("a", "Incident " + id);
      a.href = "/desk/incidents/" + id;
      a.dir = "auto";
      li.append(a);
      ul.append(li);
      described.push(describe(a, id));
    }
    box.append(ul);
    if (ids.length > 12) box.append(text("span", "and " + (ids.length - 12) + " more: zoom in or narrow the filter.", "muted"));
    const popup = L.popup({ minWidth: 240 }).setLatLng(e.latlng).setContent(box).openOn(map);
    // Longer labels: size the popup again, and keep it inside the map.
    Promise.all(described).then(() => popup.update());
  });

  form.addEventListener("submit", (e) => { e.preventDefault(); load(true); });
  form.addEventListener("change", (e) => {
    if (e.target.name === "color") {
      history.replaceState(null, "", "/desk" + (query().toString() ? "?" + query() : ""));
      share.href = location.pathname + location.search;
      if (data) draw();
      return;
    }
    load(true);
  });
  window.addEventListener("popstate", () => { fromURL(); load(); });
  load();
})();
