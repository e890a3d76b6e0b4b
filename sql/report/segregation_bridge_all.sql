-- Purpose: segregation_bridge.sql for every scope at once, read once per report run instead of once per report.
-- Inputs:  segregation_bridge; $measure, $groups, $unit_level.
-- Output:  scope_level, scope_code, then segregation_bridge.sql's columns, ordered by scope and year.
SELECT scope_level, scope_code, year, from_version, to_version, value_from, value_to
FROM segregation_bridge
WHERE measure = $measure AND groups = $groups AND unit_level = $unit_level AND value_from IS NOT NULL AND value_to IS NOT NULL
ORDER BY scope_level, scope_code, year;
