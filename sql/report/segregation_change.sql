-- Purpose: the established change of one segregation index for one scope (sql/measures/segregation_change.sql),
--          both spans, at the latest end year up to the report year, for the report's verdict sentences.
-- Inputs:  segregation_index_change; $measure, $groups, $scope_level, $scope_code, $unit_level, $year.
-- Output:  span ('comparable' | 'since_first'), from_year, to_year, from_version, to_version, from_value, to_value,
--          diff, ci_low, ci_high, verdict ('increase' | 'decrease' | 'none'), crosses_break.
WITH k AS (
  SELECT * FROM segregation_index_change
  WHERE measure = $measure AND groups = $groups AND scope_level = $scope_level AND scope_code = $scope_code
    AND unit_level = $unit_level AND to_year <= $year
)
SELECT span, from_year, to_year, from_version, to_version, from_value, to_value, diff, ci_low, ci_high, verdict, crosses_break
FROM k
WHERE to_year = (SELECT max(to_year) FROM k)
ORDER BY span;
