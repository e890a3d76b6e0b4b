-- Purpose: every kommun's established change of one segregation index (sql/measures/segregation_change.sql), both
--          spans, at each kommun's latest end year up to the report year: the kommun tallies and lists count clear
--          changes from the test of the difference, not from overlapping intervals.
-- Inputs:  segregation_index_change; $measure, $groups, $unit_level, $year.
-- Output:  code, span, from_year, to_year, from_version, to_version, from_value, to_value, diff, ci_low, ci_high,
--          verdict, crosses_break; ordered by code and span.
WITH k AS (
  SELECT * FROM segregation_index_change
  WHERE measure = $measure AND groups = $groups AND scope_level = 'kommun' AND unit_level = $unit_level AND to_year <= $year
), last AS (
  SELECT scope_code, max(to_year) AS to_year FROM k GROUP BY scope_code
)
SELECT k.scope_code AS code, span, from_year, k.to_year, from_version, to_version, from_value, to_value, diff, ci_low,
       ci_high, verdict, crosses_break
FROM k JOIN last USING (scope_code, to_year)
ORDER BY code, span;
