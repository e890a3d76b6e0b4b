-- Purpose: the change of every segregation index that has an interval, from a first year to the latest year,
--          with an interval for the difference and a three-way verdict (issue 6 item 1). Per (measure, groups,
--          scope, unit level) two spans:
--            'comparable'  from the first year >= $first_year on the latest year's area version and source table
--                          (2017, or the first year after a break) to the latest year; when that version has only
--                          the latest year, the since_first years instead (then crosses_break is true);
--            'since_first' from the first year >= $first_year to the latest year, whatever lies between.
--          The values are the bias-corrected estimates (segregation_index.bias_corrected). Years are independent
--          samples, so the bootstrap variances add; the bias corrections of two years err alike, so only the
--          change in bias enters as the correction's uncertainty (as √(se² + bias²) does for one year):
--            half = $z · √(se_from² + se_to² + (bias_to − bias_from)²),  ci = diff ± half.
--          verdict 'increase' when ci_low > 0, 'decrease' when ci_high < 0, else 'none' (no established change).
--          crosses_break: the two years differ in area version (DeSO2018 → DeSO2025, RegSO2020 → RegSO2025) or
--          source table (education 25–64 → 25–65 år). Such a change includes the break and is never a verdict by
--          itself: read it with segregation_bridge, which gives the break's size.
-- Inputs:  segregation_index; $first_year (INTEGER, 2017), $z (DOUBLE, the normal quantile of the interval level).
-- Output:  rows inserted into segregation_change.
INSERT INTO segregation_change
WITH pts AS (
  SELECT measure, groups, focal, scope_level, scope_code, unit_level, unit_version, source_table, year,
         bias_corrected AS v, se, bias
  FROM segregation_index
  WHERE status = 'ok' AND bias_corrected IS NOT NULL AND se IS NOT NULL AND bias IS NOT NULL AND year >= $first_year
), latest AS (
  SELECT measure, groups, scope_level, scope_code, unit_level, max(year) AS to_year, min(year) AS first_year
  FROM pts GROUP BY ALL
), ends AS (
  SELECT l.*, t.unit_version AS to_version, t.source_table AS to_table,
         (SELECT min(p.year) FROM pts p
          WHERE p.measure = l.measure AND p.groups = l.groups AND p.scope_level = l.scope_level
            AND p.scope_code = l.scope_code AND p.unit_level = l.unit_level
            AND p.unit_version = t.unit_version AND p.source_table = t.source_table) AS comparable_year
  FROM latest l
  JOIN pts t USING (measure, groups, scope_level, scope_code, unit_level)
  WHERE t.year = l.to_year
), spans AS (
  SELECT *, 'comparable' AS span,
         CASE WHEN comparable_year < to_year THEN comparable_year ELSE first_year END AS from_year
  FROM ends
  UNION ALL
  SELECT *, 'since_first', first_year FROM ends
), pairs AS (
  SELECT s.measure, s.groups, t.focal, s.scope_level, s.scope_code, s.unit_level, s.span, s.from_year, s.to_year,
         f.unit_version AS from_version, t.unit_version AS to_version,
         f.v AS from_value, t.v AS to_value, t.v - f.v AS diff,
         $z * sqrt(f.se * f.se + t.se * t.se + (t.bias - f.bias) * (t.bias - f.bias)) AS half,
         f.unit_version <> t.unit_version OR f.source_table <> t.source_table AS crosses_break
  FROM spans s
  JOIN pts f ON f.measure = s.measure AND f.groups = s.groups AND f.scope_level = s.scope_level
            AND f.scope_code = s.scope_code AND f.unit_level = s.unit_level AND f.year = s.from_year
  JOIN pts t ON t.measure = s.measure AND t.groups = s.groups AND t.scope_level = s.scope_level
            AND t.scope_code = s.scope_code AND t.unit_level = s.unit_level AND t.year = s.to_year
  WHERE s.from_year < s.to_year
)
SELECT measure, groups, focal, scope_level, scope_code, unit_level, span, from_year, to_year, from_version, to_version,
       from_value, to_value, diff, diff - half AS ci_low, diff + half AS ci_high,
       CASE WHEN diff - half > 0 THEN 'increase' WHEN diff + half < 0 THEN 'decrease' ELSE 'none' END AS verdict,
       crosses_break
FROM pairs;
