// Package geo turns the place names in reports into points and points into
// governorates and districts. Messages spell one village many ways
// ("Khmeimim", "Hmeimim", "Humaymim", حميميم), so the gazetteer matches on a
// folded key with a fuzzy fallback instead of exact strings, and the admin
// index answers from OCHA's polygons rather than from whatever governorate a
// sender typed.
//
// The package reads GeoNames dumps and OCHA boundary GeoJSON into domain
// types, does no other I/O, and keeps everything in memory: Syria's
// gazetteer is a few thousand names.
package geo
