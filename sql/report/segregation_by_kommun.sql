-- Purpose: a segregation measure per kommun: value in the latest year and in the first year (2017), for the
--          spread chart and the list of kommuner where segregation rose or fell.
-- Inputs:  segregation_index, area; $measure, $groups, $unit_level, $first_year, $year.
-- Output:  code, name, value, first_value, n_units, status.
SELECT a.code, a.name, l.value, f.value AS first_value, coalesce(l.n_units, 0) AS n_units, coalesce(l.status, '..') AS status
FROM area a
LEFT JOIN segregation_index l
  ON l.scope_level = 'kommun' AND l.scope_code = a.code AND l.measure = $measure AND l.groups = $groups AND l.year = $year
  AND l.unit_level = $unit_level
LEFT JOIN segregation_index f
  ON f.scope_level = 'kommun' AND f.scope_code = a.code AND f.measure = $measure AND f.groups = $groups AND f.year = $first_year
  AND f.unit_level = $unit_level
WHERE a.level = 'kommun'
ORDER BY a.name COLLATE sv, a.code;
