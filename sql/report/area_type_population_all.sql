-- Purpose: area_type_population.sql for every scope at once, read once per report run instead of once per report.
-- Inputs:  area_type_population; $year.
-- Output:  scope_level, scope_code, then area_type_population.sql's columns — by scope, year and type.
SELECT scope_level, scope_code, year, area_type, n_areas, n_missing_population, population, share, status
FROM area_type_population
WHERE year <= $year
ORDER BY scope_level, scope_code, year, area_type NULLS LAST;
