-- Purpose: indicator_by_area_type.sql for every scope at once, read once per report run instead of once per report.
-- Inputs:  indicator_by_area_type; $year.
-- Output:  scope_level, scope_code, then indicator_by_area_type.sql's columns — by scope, indicator, year, type.
SELECT scope_level, scope_code, indicator_id, year, area_type, value, status, n_areas, n_missing
FROM indicator_by_area_type
WHERE year <= $year
ORDER BY scope_level, scope_code, indicator_id, year, area_type;
