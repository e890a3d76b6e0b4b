-- Purpose: area_type_regso.sql for every kommun at once, read once per report run instead of once per kommun
--          report; the report stage picks each kommun's rows.
-- Inputs:  area_type, area; $first_year, $year.
-- Output:  scope_level ('kommun'), scope_code (the kommun), then area_type_regso.sql's columns — by kommun, then in
--          Swedish name order.
WITH years AS (
  SELECT min(year) FILTER (WHERE year >= $first_year) AS first_year, max(year) AS latest_year
  FROM area_type
  WHERE year <= $year
), latest AS (
  SELECT t.area_code, t.area_version, t.area_type, t.index_value
  FROM area_type t, years y
  WHERE t.year = y.latest_year
), first AS (
  SELECT t.area_code, t.area_type
  FROM area_type t, years y
  WHERE t.year = y.first_year
)
SELECT 'kommun' AS scope_level, substr(l.area_code, 1, 4) AS scope_code,
       l.area_code AS code, coalesce(a.name, l.area_code) AS name,
       y.first_year, f.area_type AS first_type, y.latest_year, l.area_type AS latest_type, l.index_value AS latest_index
FROM latest l
CROSS JOIN years y
LEFT JOIN first f ON f.area_code = l.area_code
LEFT JOIN area a ON a.code = l.area_code AND a.version = l.area_version
ORDER BY scope_code, name COLLATE sv, code;
