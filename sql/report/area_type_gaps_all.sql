-- Purpose: area_type_gaps.sql for every scope at once (riket, each län, each kommun), read once per report run
--          instead of once per report; the report stage picks each report's rows by scope.
-- Inputs:  area_type_gap, indicator; $year.
-- Output:  scope_level, scope_code, then area_type_gaps.sql's columns — one row per scope and indicator, ordered by
--          scope and indicator id.
WITH ranked AS (
  SELECT g.*, row_number() OVER (PARTITION BY g.scope_level, g.scope_code, g.indicator_id ORDER BY (g.gap IS NOT NULL) DESC, g.year DESC) AS rn
  FROM area_type_gap g
  WHERE g.year <= $year
)
SELECT r.scope_level, r.scope_code, r.indicator_id, i.title_sv, i.unit, i.higher_is_better, r.year,
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
ORDER BY r.scope_level, r.scope_code, r.indicator_id;
