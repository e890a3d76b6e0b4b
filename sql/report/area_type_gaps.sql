-- Purpose: for one report scope, the comparison of its most disadvantaged areas with the others (type 1 vs type 5,
--          the lowest type vs the rest, or one type only; sql/area_types/gap.sql) for every indicator with values by
--          area type, in the latest year up to the report year that has a gap (or, when no year has one, the latest
--          year, so the report can say why), with the two groups' values in that year and in the base year.
-- Inputs:  area_type_gap, indicator; $scope_level, $scope_code, $year.
-- Output:  indicator_id, title_sv, unit, higher_is_better, year, comparison, comparison_year, focus_upto, reference_from,
--          value_focus, value_reference, gap, disadvantage, se_gap, base_year, value_focus_base,
--          value_reference_base, gap_base, gap_change, se_change, materiality, narrowed, change_verdict, status, change_status —
--          one row per indicator, ordered by indicator id.
WITH ranked AS (
  SELECT g.*, row_number() OVER (PARTITION BY g.indicator_id ORDER BY (g.gap IS NOT NULL) DESC, g.year DESC) AS rn
  FROM area_type_gap g
  WHERE g.scope_level = $scope_level AND g.scope_code = $scope_code AND g.year <= $year
)
SELECT r.indicator_id, i.title_sv, i.unit, i.higher_is_better, r.year,
       r.comparison, r.comparison_year, r.focus_upto, r.reference_from,
       r.value_focus, r.value_reference, r.gap, r.disadvantage, r.se_gap,
       r.base_year, b.value_focus AS value_focus_base, b.value_reference AS value_reference_base,
       r.gap_base, r.gap_change, r.se_change, r.materiality, r.narrowed, r.change_verdict, r.status, r.change_status
FROM ranked r
JOIN indicator i ON i.id = r.indicator_id
LEFT JOIN area_type_gap b
  ON b.indicator_id = r.indicator_id AND b.scope_level = r.scope_level AND b.scope_code = r.scope_code
 AND b.year = r.base_year
WHERE r.rn = 1
ORDER BY r.indicator_id;
