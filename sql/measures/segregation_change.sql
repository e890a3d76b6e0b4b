-- Purpose: the change of every segregation index that has an interval, from a first year to each later year,
--          with an interval for the difference and a three-way verdict (issue 6 item 1). Per (measure, groups,
--          scope, unit level) and end year (to_year; a report reads the latest end year up to its own year), two
--          spans:
--            'comparable'  from the first year >= $first_year on the end year's area version and source table
--                          (2017, or the first year after a break) to the end year; when that version has only
--                          the end year, the since_first years instead (then crosses_break is true);
--            'since_first' from the first year >= $first_year to the end year, whatever lies between.
--          The values are the bias-corrected estimates (segregation_index.bias_corrected). Years are independent
--          samples, so the bootstrap variances add; the bias corrections of two years err alike, so only the
--          change in bias enters as the correction's uncertainty (as √(se² + bias²) does for one year):
--            half = $z · √(se_from² + se_to² + (bias_to − bias_from)²),  ci = diff ± half.
--          verdict 'increase' when ci_low > 0, 'decrease' when ci_high < 0, else 'none' (no established change).
--          crosses_break: the two years differ in area version (DeSO2018 → DeSO2025, RegSO2020 → RegSO2025) or
--          source table (education 25–64 → 25–65 år). Such a change includes the break and is never a verdict by
--          itself: read it with segregation_bridge, which gives the break's size.
-- Inputs:  segregation_index; $first_year (INTEGER, 2017), $z (DOUBLE, the normal quantile of the interval level).
-- Output:  rows inserted into segregation_index_change.
INSERT INTO segregation_index_change
WITH pts AS (
  SELECT measure, groups, focal, scope_level, scope_code, unit_level, unit_version, source_table, year,
         bias_corrected AS v, se, bias
  FROM segregation_index
  WHERE status = 'ok' AND bias_corrected IS NOT NULL AND se IS NOT NULL AND bias IS NOT NULL AND year >= $first_year
), ends AS (
  -- Every year with a value is an end year; its first year and first comparable year look only backwards.
  SELECT t.measure, t.groups, t.scope_level, t.scope_code, t.unit_level, t.year AS to_year,
         t.unit_version AS to_version, t.source_table AS to_table,
         min(p.year) AS first_year,
         min(p.year) FILTER (WHERE p.unit_version = t.unit_version AND p.source_table = t.source_table) AS comparable_year
  FROM pts t
  JOIN pts p USING (measure, groups, scope_level, scope_code, unit_level)
  WHERE p.year <= t.year
  GROUP BY ALL
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
