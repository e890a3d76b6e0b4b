-- Purpose: the dissimilarity index D (METHODS.md §3.1) of a focal group against the rest over DeSO, per kommun,
--          län and riket and year: D = ½ Σ_i |x_i/X − y_i/Y|. Edge cases by METHODS.md §2.2: units with no
--          population are dropped; < 2 units → 'single_unit'; X = 0 or Y = 0 → 'single_group'; value NULL then.
--          Units whose counts are missing or protected at source are left out (n_units says how many remain).
-- Inputs:  observation; $table, $measure, $focal_breakdown, $other_breakdown, $groups (label), $focal (label).
-- Output:  segregation_index rows (measure 'D', unit_level 'deso').
INSERT INTO segregation_index (measure, groups, focal, scope_level, scope_code, unit_level, unit_version, year, value,
                               expected, ci_low, ci_high, n_units, total, status, source_table)
WITH units AS (
  SELECT area_code, area_version, year,
         max(value) FILTER (WHERE breakdown = $focal_breakdown) AS x,
         max(value) FILTER (WHERE breakdown = $other_breakdown) AS y
  FROM observation
  WHERE table_id = $table AND measure = $measure AND regexp_full_match(area_code, '\d{4}[ABC]\d{4}')
  GROUP BY area_code, area_version, year
), clean AS (
  SELECT * FROM units WHERE x IS NOT NULL AND y IS NOT NULL AND x + y > 0
), scoped AS (
  SELECT 'kommun' AS scope_level, substr(area_code, 1, 4) AS scope_code, * FROM clean
  UNION ALL SELECT 'lan', substr(area_code, 1, 2), * FROM clean
  UNION ALL SELECT 'riket', '00', * FROM clean
), tot AS (
  SELECT scope_level, scope_code, area_version, year, sum(x) AS X, sum(y) AS Y, count(*) AS n
  FROM scoped GROUP BY ALL
), d AS (
  SELECT s.scope_level, s.scope_code, s.area_version, s.year,
         0.5 * sum(abs(s.x / nullif(t.X, 0) - s.y / nullif(t.Y, 0))) AS d
  FROM scoped s JOIN tot t USING (scope_level, scope_code, area_version, year)
  GROUP BY ALL
)
SELECT 'D', $groups, $focal, t.scope_level, t.scope_code, 'deso', t.area_version, t.year,
       CASE WHEN t.n >= 2 AND t.X > 0 AND t.Y > 0 THEN d.d END,
       NULL, NULL, NULL, t.n::INTEGER, t.X + t.Y,
       CASE WHEN t.X + t.Y = 0 THEN 'no_population'
            WHEN t.n < 2 THEN 'single_unit'
            WHEN t.X = 0 OR t.Y = 0 THEN 'single_group'
            ELSE 'ok' END,
       $table
FROM tot t JOIN d USING (scope_level, scope_code, area_version, year);
