-- Purpose: area_type_index_spread.sql for every scope at once (riket, each län, each kommun), read once per report
--          run instead of once per kommun report; the report stage picks each scope's rows.
-- Inputs:  area_type, area_type_cut; $first_year, $year.
-- Output:  scope_level, scope_code ('00' for riket), then area_type_index_spread.sql's columns — by scope, then by
--          year; a scope without typed RegSO in those years has no rows.
WITH years AS (
  SELECT min(year) FILTER (WHERE year >= $first_year) AS first_year, max(year) AS latest_year
  FROM area_type
  WHERE year <= $year
), typed AS (
  SELECT t.year, t.area_code, t.area_version, t.index_value
  FROM area_type t, years y
  WHERE t.year IN (y.first_year, y.latest_year)
), scoped AS (
  SELECT 'riket' AS scope_level, '00' AS scope_code, year, area_version, index_value FROM typed
  UNION ALL
  SELECT 'lan', substr(area_code, 1, 2), year, area_version, index_value FROM typed
  UNION ALL
  SELECT 'kommun', substr(area_code, 1, 4), year, area_version, index_value FROM typed
)
SELECT s.scope_level, s.scope_code, s.year,
       count(*)::INTEGER AS n_regso,
       count(s.index_value)::INTEGER AS n_indexed,
       min(s.index_value) AS min_index,
       quantile_cont(s.index_value, 0.5) AS median_index,
       max(s.index_value) AS max_index,
       any_value(c.mean) AS national_mean,
       any_value(c.sd) AS national_sd
FROM scoped s
LEFT JOIN area_type_cut c ON c.year = s.year AND c.area_version = s.area_version
GROUP BY s.scope_level, s.scope_code, s.year
ORDER BY s.scope_level, s.scope_code, s.year;
