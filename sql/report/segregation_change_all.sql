-- Purpose: segregation_change.sql for every scope at once (riket, each län, each kommun): each scope's established
--          change at its own latest end year up to the report year, read once per report run instead of once per
--          report; the report stage picks each report's rows by scope.
-- Inputs:  segregation_index_change; $measure, $groups, $unit_level, $year.
-- Output:  scope_level, scope_code, then segregation_change.sql's columns, ordered by scope and span.
WITH k AS (
  SELECT * FROM segregation_index_change
  WHERE measure = $measure AND groups = $groups AND unit_level = $unit_level AND to_year <= $year
), last AS (
  SELECT scope_level, scope_code, max(to_year) AS to_year FROM k GROUP BY scope_level, scope_code
)
SELECT k.scope_level, k.scope_code, span, from_year, k.to_year, from_version, to_version, from_value, to_value, diff,
       ci_low, ci_high, verdict, crosses_break
FROM k JOIN last USING (scope_level, scope_code, to_year)
ORDER BY k.scope_level, k.scope_code, span;
