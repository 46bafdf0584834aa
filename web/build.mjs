// build.mjs copies Leaflet's built files into the Go server's static tree and
// writes the basemap the desk draws instead of fetching tiles: monitors work
// on poor connections or none, so nothing may come from a CDN or tile server.
//
// Run it with `npm install && npm run build` after changing the Leaflet
// version or the source data; commit what it writes.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const static_ = join(root, "internal/web/static");

// Leaflet: the minified script, its stylesheet and the images the stylesheet names.
const dist = join(here, "node_modules/leaflet/dist");
const vendor = join(static_, "vendor/leaflet");
mkdirSync(join(vendor, "images"), { recursive: true });
for (const f of ["leaflet.js", "leaflet.css"]) copyFileSync(join(dist, f), join(vendor, f));
for (const f of readdirSync(join(dist, "images"))) copyFileSync(join(dist, "images", f), join(vendor, "images", f));
copyFileSync(join(here, "node_modules/leaflet/LICENSE"), join(vendor, "LICENSE"));

// The region the desk's map shows; countries outside it are dropped.
const region = { minLon: 25, minLat: 25, maxLon: 55, maxLat: 45 };

// round keeps `digits` decimals (2 ≈ 1 km, 3 ≈ 100 m) and drops points
// that rounding made equal to the previous one.
function roundRing(ring, digits) {
  const f = 10 ** digits;
  const out = [];
  for (const [x, y] of ring) {
    const p = [Math.round(x * f) / f, Math.round(y * f) / f];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

function roundGeometry(g, digits) {
  if (g.type === "Polygon") return { type: g.type, coordinates: g.coordinates.map((r) => roundRing(r, digits)).filter((r) => r.length >= 4) };
  if (g.type === "MultiPolygon") {
    return { type: g.type, coordinates: g.coordinates.map((p) => p.map((r) => roundRing(r, digits)).filter((r) => r.length >= 4)).filter((p) => p.length > 0) };
  }
  throw new Error("unexpected geometry " + g.type);
}

function bbox(g) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  for (const p of polys) for (const r of p) for (const [x, y] of r) {
    b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y);
  }
  return b;
}

function write(name, features, attribution) {
  const dir = join(static_, "basemap");
  mkdirSync(dir, { recursive: true });
  // One feature a line keeps diffs of the committed file readable.
  const body = '{"type":"FeatureCollection","attribution":' + JSON.stringify(attribution) + ',"features":[\n' +
    features.map((f) => JSON.stringify(f)).join(",\n") + "\n]}\n";
  writeFileSync(join(dir, name), body);
  console.log(`${name}: ${features.length} features, ${body.length} bytes`);
}

// Natural Earth 1:110m countries (public domain): names and ISO codes only.
const ne = JSON.parse(readFileSync(process.env.NATURAL_EARTH ?? "/work/shared/data/naturalearth/ne_110m_admin_0_countries.geojson", "utf8"));
const countries = [];
for (const f of ne.features) {
  const b = bbox(f.geometry);
  if (b[2] < region.minLon || b[0] > region.maxLon || b[3] < region.minLat || b[1] > region.maxLat) continue;
  const p = f.properties;
  countries.push({ type: "Feature", properties: { name: p.NAME, name_ar: p.NAME_AR, iso_a3: p.ISO_A3 === "-99" ? p.ADM0_A3 : p.ISO_A3 }, geometry: roundGeometry(f.geometry, 2) });
}
write("countries.geojson", countries, "Natural Earth (public domain)");

// Syrian governorates (OCHA, CC BY-IGO), already simplified upstream.
const adm = JSON.parse(readFileSync(join(root, "internal/scenario/data/syr_admin1.geojson"), "utf8"));
write("syr_admin1.geojson", adm.features.map((f) => ({
  type: "Feature",
  properties: { name: f.properties.NAME_EN, name_ar: f.properties.NAME_AR, pcode: f.properties.PCODE },
  geometry: roundGeometry(f.geometry, 3),
})), "OCHA, CC BY-IGO");
