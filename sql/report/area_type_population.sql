-- Purpose: residents per area type for one report scope (riket, a län or a kommun), every year up to the report
--          year, for the population table and chart of the Områdestyper chapter. Types 1–5 always have a row (0
--          residents where the scope has no RegSO of the type); RegSO without a type come last (area_type NULL).
-- Inputs:  area_type_population; $scope_level, $scope_code, $year.
-- Output:  year, area_type, n_areas, n_missing_population, population, share (percent of the scope's residents),
--          status — ordered by year and type.
SELECT year, area_type, n_areas, n_missing_population, population, share, status
FROM area_type_population
WHERE scope_level = $scope_level AND scope_code = $scope_code AND year <= $year
ORDER BY year, area_type NULLS LAST;
