-- Purpose: segregation_series.sql for every scope at once (riket, each län, each kommun), read once per report run
--          instead of once per report; the report stage picks each report's rows by scope.
-- Inputs:  segregation_index; $measure, $groups, $unit_level, $year.
-- Output:  scope_level, scope_code, then segregation_series.sql's columns, ordered by scope and year.
SELECT scope_level, scope_code, year, value, expected, ci_low, ci_high, n_units, status, unit_version
FROM segregation_index
WHERE measure = $measure AND groups = $groups AND unit_level = $unit_level AND year <= $year
ORDER BY scope_level, scope_code, year;
