-- Purpose: the size of the DeSO 2018 → 2025 break for one index and scope: the years next to the break computed on
--          both area versions (segregation_bridge), so a report can say how much of a change the new units make.
-- Inputs:  segregation_bridge; $measure, $groups, $scope_level, $scope_code, $unit_level.
-- Output:  year, from_version, to_version, value_from, value_to (both non-NULL), ordered by year.
SELECT year, from_version, to_version, value_from, value_to
FROM segregation_bridge
WHERE measure = $measure AND groups = $groups AND scope_level = $scope_level AND scope_code = $scope_code
  AND unit_level = $unit_level AND value_from IS NOT NULL AND value_to IS NOT NULL
ORDER BY year;
