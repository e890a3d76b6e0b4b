-- Purpose: every indicator's value per area type for one report scope, every year up to the report year (the
--          chapter shows the year of each indicator's gap; the rest feeds the data export and later charts).
-- Inputs:  indicator_by_area_type; $scope_level, $scope_code, $year.
-- Output:  indicator_id, year, area_type, value, status, n_areas, n_missing — ordered by indicator, year, type.
SELECT indicator_id, year, area_type, value, status, n_areas, n_missing
FROM indicator_by_area_type
WHERE scope_level = $scope_level AND scope_code = $scope_code AND year <= $year
ORDER BY indicator_id, year, area_type;
