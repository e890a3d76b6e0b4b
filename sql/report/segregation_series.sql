-- Purpose: a segregation measure's yearly series for one scope (e.g. riket over DeSO), up to the report year.
-- Inputs:  segregation_index; $measure, $groups, $scope_level, $scope_code, $year.
-- Output:  year, value, n_units, status.
SELECT year, value, n_units, status
FROM segregation_index
WHERE measure = $measure AND groups = $groups AND scope_level = $scope_level AND scope_code = $scope_code
  AND year <= $year
ORDER BY year;
