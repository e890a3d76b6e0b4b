-- Purpose: a segregation measure's yearly series for one scope (e.g. riket over DeSO), up to the report year.
-- Inputs:  segregation_index; $measure, $groups, $scope_level, $scope_code, $unit_level, $year.
-- Output:  year, value, expected (under random allocation), ci_low, ci_high, n_units, status, unit_version.
SELECT year, value, expected, ci_low, ci_high, n_units, status, unit_version
FROM segregation_index
WHERE measure = $measure AND groups = $groups AND scope_level = $scope_level AND scope_code = $scope_code
  AND unit_level = $unit_level
  AND year <= $year
ORDER BY year;
