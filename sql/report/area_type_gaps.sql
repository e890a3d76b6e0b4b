-- Purpose: for one report scope, the type 1 − type 5 gap of every indicator with values by area type, in the
--          latest year up to the report year that has a gap (or, when no year has one, the latest year, so the
--          report can say why), with the two types' values in that year and in the base year.
-- Inputs:  area_type_gap, indicator; $scope_level, $scope_code, $year.
-- Output:  indicator_id, title_sv, unit, higher_is_better, year, value_type1, value_type5, gap, disadvantage,
--          base_year, value_type1_base, value_type5_base, gap_base, gap_change, narrowed, status, change_status —
--          one row per indicator, ordered by indicator id.
WITH ranked AS (
  SELECT g.*, row_number() OVER (PARTITION BY g.indicator_id ORDER BY (g.gap IS NOT NULL) DESC, g.year DESC) AS rn
  FROM area_type_gap g
  WHERE g.scope_level = $scope_level AND g.scope_code = $scope_code AND g.year <= $year
)
SELECT r.indicator_id, i.title_sv, i.unit, i.higher_is_better, r.year,
       r.value_type1, r.value_type5, r.gap, r.disadvantage,
       r.base_year, b.value_type1 AS value_type1_base, b.value_type5 AS value_type5_base,
       r.gap_base, r.gap_change, r.narrowed, r.status, r.change_status
FROM ranked r
JOIN indicator i ON i.id = r.indicator_id
LEFT JOIN area_type_gap b
  ON b.indicator_id = r.indicator_id AND b.scope_level = r.scope_level AND b.scope_code = r.scope_code
 AND b.year = r.base_year
WHERE r.rn = 1
ORDER BY r.indicator_id;
