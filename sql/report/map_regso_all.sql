-- Purpose: map_regso.sql for every kommun at once, read once per report run instead of once per kommun report; the
--          report stage picks each kommun's rows. Each kommun keeps its own area version (of the latest year with
--          area types) and its own latest year with a value on that version, as map_regso.sql gives them.
-- Inputs:  area, area_type, indicator_value, area_geometry; $indicator_id, $year.
-- Output:  scope_level ('kommun'), scope_code (the kommun), then map_regso.sql's columns — by kommun, then in
--          Swedish name order.
WITH type_year AS (
  SELECT max(year) AS y FROM area_type WHERE year <= $year
), kommun_version AS (
  SELECT substr(t.area_code, 1, 4) AS kommun_code, max(t.area_version) AS version
  FROM area_type t, type_year ty
  WHERE t.year = ty.y
  GROUP BY 1
), regso AS (
  SELECT a.kommun_code, a.code, a.name, a.version
  FROM area a JOIN kommun_version k ON a.kommun_code = k.kommun_code AND a.version = k.version
  WHERE a.level = 'regso'
), value_year AS (
  SELECT r.kommun_code, max(v.year) AS y
  FROM indicator_value v JOIN regso r ON v.area_code = r.code AND v.area_version = r.version
  WHERE v.indicator_id = $indicator_id AND v.year <= $year AND v.value IS NOT NULL
  GROUP BY r.kommun_code
)
SELECT 'kommun' AS scope_level, r.kommun_code AS scope_code,
       r.code, r.name, r.version AS area_version,
       t.area_type, CASE WHEN t.area_code IS NULL THEN NULL ELSE (SELECT y FROM type_year) END AS type_year,
       v.value, CASE WHEN v.value IS NULL THEN coalesce(v.status, '..') END AS status, vy.y AS value_year,
       g.geometry, g.source AS geometry_source
FROM regso r
LEFT JOIN value_year vy ON vy.kommun_code = r.kommun_code
LEFT JOIN area_type t ON t.area_code = r.code AND t.area_version = r.version AND t.year = (SELECT y FROM type_year)
LEFT JOIN indicator_value v ON v.area_code = r.code AND v.area_version = r.version AND v.indicator_id = $indicator_id
     AND v.year = vy.y
LEFT JOIN area_geometry g ON g.code = r.code AND g.version = r.version
ORDER BY r.kommun_code, r.name COLLATE sv, r.code;
