-- Purpose: a segregation measure per kommun: value in the latest year and in the first year (2016), for the
--          kommun table, the count of kommuner where the index rose or fell clearly, and the ranking.
-- Inputs:  segregation_index, area; $measure, $groups, $unit_level, $first_year, $year.
-- Output:  code, name, value, first_value, n_units, status, expected, ci_low, ci_high, first_ci_low,
--          first_ci_high, unit_version, first_unit_version, and pre_year/pre_value/pre_ci_low/pre_ci_high: the
--          latest year up to $year still on the first year's area version (the comparable part of a change that
--          crosses the DeSO 2018 → 2025 break; equal to the latest year when no break is crossed).
WITH pre AS (
  SELECT p.scope_code, arg_max(p.year, p.year) AS pre_year, arg_max(p.value, p.year) AS pre_value,
         arg_max(p.ci_low, p.year) AS pre_ci_low, arg_max(p.ci_high, p.year) AS pre_ci_high
  FROM segregation_index p
  JOIN segregation_index f0
    ON f0.scope_level = 'kommun' AND f0.scope_code = p.scope_code AND f0.measure = $measure AND f0.groups = $groups
   AND f0.unit_level = $unit_level AND f0.year = $first_year AND f0.unit_version = p.unit_version
  WHERE p.scope_level = 'kommun' AND p.measure = $measure AND p.groups = $groups AND p.unit_level = $unit_level
    AND p.year <= $year AND p.value IS NOT NULL
  GROUP BY p.scope_code
)
SELECT a.code, a.name, l.value, f.value AS first_value, coalesce(l.n_units, 0) AS n_units, coalesce(l.status, '..') AS status,
       l.expected, l.ci_low, l.ci_high, f.ci_low AS first_ci_low, f.ci_high AS first_ci_high,
       l.unit_version, f.unit_version AS first_unit_version,
       pre.pre_year, pre.pre_value, pre.pre_ci_low, pre.pre_ci_high
FROM area a
LEFT JOIN segregation_index l
  ON l.scope_level = 'kommun' AND l.scope_code = a.code AND l.measure = $measure AND l.groups = $groups AND l.year = $year
  AND l.unit_level = $unit_level
LEFT JOIN segregation_index f
  ON f.scope_level = 'kommun' AND f.scope_code = a.code AND f.measure = $measure AND f.groups = $groups AND f.year = $first_year
  AND f.unit_level = $unit_level
LEFT JOIN pre ON pre.scope_code = a.code
WHERE a.level = 'kommun'
ORDER BY a.name COLLATE sv, a.code;
