-- Purpose: a kommun report's own RegSO with their area type in the first year (from $first_year) and in the
--          latest year up to the report year, so the reader can see which parts of the kommun the types refer to.
--          The RegSO are those of the latest year's version; the first-year type is matched on the RegSO code
--          (NULL where the code did not exist then, or the RegSO had no type).
-- Inputs:  area_type, area; $kommun_code, $first_year, $year.
-- Output:  code, name, first_year, first_type, latest_year, latest_type, latest_index — in Swedish name order.
WITH years AS (
  SELECT min(year) FILTER (WHERE year >= $first_year) AS first_year, max(year) AS latest_year
  FROM area_type
  WHERE year <= $year
), latest AS (
  SELECT t.area_code, t.area_version, t.area_type, t.index_value
  FROM area_type t, years y
  WHERE t.year = y.latest_year AND starts_with(t.area_code, $kommun_code)
), first AS (
  SELECT t.area_code, t.area_type
  FROM area_type t, years y
  WHERE t.year = y.first_year AND starts_with(t.area_code, $kommun_code)
)
SELECT l.area_code AS code, coalesce(a.name, l.area_code) AS name,
       y.first_year, f.area_type AS first_type, y.latest_year, l.area_type AS latest_type, l.index_value AS latest_index
FROM latest l
CROSS JOIN years y
LEFT JOIN first f ON f.area_code = l.area_code
LEFT JOIN area a ON a.code = l.area_code AND a.version = l.area_version
ORDER BY name COLLATE sv, code;
