-- Purpose: a kommun's RegSO for its maps: each RegSO of the area version of the latest year with area types (up to
--          the report year) with its type, its value of one indicator in the latest year up to the report year
--          with a value on that version, and its outline (area_geometry; NULL where none was fetched).
-- Inputs:  area, area_type, indicator_value, area_geometry; $kommun_code, $indicator_id, $year.
-- Output:  code, name, area_version, area_type, type_year, value, status, value_year, geometry, geometry_source —
--          in Swedish name order.
WITH type_year AS (
  SELECT max(year) AS y FROM area_type WHERE year <= $year
), regso AS (
  SELECT a.code, a.name, a.version
  FROM area a
  WHERE a.level = 'regso' AND a.kommun_code = $kommun_code
    AND a.version = (SELECT max(t.area_version) FROM area_type t, type_year ty WHERE t.year = ty.y AND starts_with(t.area_code, $kommun_code))
), value_year AS (
  SELECT max(v.year) AS y
  FROM indicator_value v JOIN regso r ON v.area_code = r.code AND v.area_version = r.version
  WHERE v.indicator_id = $indicator_id AND v.year <= $year AND v.value IS NOT NULL
)
SELECT r.code, r.name, r.version AS area_version,
       t.area_type, CASE WHEN t.area_code IS NULL THEN NULL ELSE (SELECT y FROM type_year) END AS type_year,
       v.value, CASE WHEN v.value IS NULL THEN coalesce(v.status, '..') END AS status, (SELECT y FROM value_year) AS value_year,
       g.geometry, g.source AS geometry_source
FROM regso r
LEFT JOIN area_type t ON t.area_code = r.code AND t.area_version = r.version AND t.year = (SELECT y FROM type_year)
LEFT JOIN indicator_value v ON v.area_code = r.code AND v.area_version = r.version AND v.indicator_id = $indicator_id
     AND v.year = (SELECT y FROM value_year)
LEFT JOIN area_geometry g ON g.code = r.code AND g.version = r.version
ORDER BY r.name COLLATE sv, r.code;
