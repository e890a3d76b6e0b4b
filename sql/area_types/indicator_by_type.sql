-- Purpose: every indicator by area type in every kommun, län and riket and year: the RegSO numerators and
--          denominators of the type's RegSO in the scope are summed and divided (value = 100 × Σ numerator /
--          Σ denominator), never RegSO shares averaged. Only indicators in percent with numerator and denominator
--          at RegSO take part (the others are listed by skipped_indicators.sql). Each (indicator, scope, year)
--          with RegSO values and area types has a row for each of types 1–5:
--            'ok' / 'noise' (a contributing RegSO value carries cell-key noise);
--            'no_areas'   the scope has no RegSO of the type that year;
--            'missing'    it has, but none with a value (missing or suppressed at RegSO level);
--            'suppressed' the summed denominator is below $threshold: value, numerator and denominator NULL.
--          Sums are exact decimal sums (counts to 9 decimals), so a rerun gives the same last bit in any order and
--          the aggregate can spill to disk under a memory limit (an ordered fsum cannot).
--          n_areas counts the contributing RegSO, n_missing the RegSO of the type without a usable value (their
--          people are then absent from the sums, so the value describes the others).
-- Inputs:  area_type; indicator; indicator_value; $threshold (persons).
-- Output:  indicator_by_area_type rows.
INSERT INTO indicator_by_area_type
WITH usable AS (
  SELECT DISTINCT v.indicator_id, v.year
  FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id
  WHERE i.unit = 'procent' AND starts_with(v.area_version, 'RegSO')
    AND v.numerator IS NOT NULL AND v.denominator IS NOT NULL
), rows AS (
  SELECT u.indicator_id, t.area_code, t.year, t.area_type,
         v.numerator, v.denominator, v.status,
         v.numerator IS NOT NULL AND v.denominator IS NOT NULL AS has_value
  FROM area_type t
  JOIN usable u ON u.year = t.year
  LEFT JOIN indicator_value v
    ON v.indicator_id = u.indicator_id AND v.area_code = t.area_code AND v.area_version = t.area_version AND v.year = t.year
  WHERE t.area_type IS NOT NULL
), scoped AS (
  SELECT 'riket' AS scope_level, '00' AS scope_code, * FROM rows
  UNION ALL SELECT 'lan', substr(area_code, 1, 2), * FROM rows
  UNION ALL SELECT 'kommun', substr(area_code, 1, 4), * FROM rows
), agg AS (
  SELECT indicator_id, scope_level, scope_code, year, area_type,
         sum(numerator::DECIMAL(38, 9)) FILTER (WHERE has_value)::DOUBLE AS num,
         sum(denominator::DECIMAL(38, 9)) FILTER (WHERE has_value)::DOUBLE AS den,
         count(*) FILTER (WHERE has_value) AS n_areas,
         count(*) FILTER (WHERE NOT has_value) AS n_missing,
         coalesce(bool_or(status = 'noise') FILTER (WHERE has_value), false) AS noisy
  FROM scoped
  GROUP BY ALL
), grid AS (
  SELECT DISTINCT indicator_id, scope_level, scope_code, year, k.area_type
  FROM agg CROSS JOIN (SELECT unnest([1, 2, 3, 4, 5]) AS area_type) k
), judged AS (
  SELECT g.*, a.num, a.den, coalesce(a.n_areas, 0) AS n_areas, coalesce(a.n_missing, 0) AS n_missing,
         CASE WHEN a.n_areas IS NULL THEN 'no_areas'
              WHEN a.n_areas = 0 THEN 'missing'
              WHEN a.den < $threshold THEN 'suppressed'
              WHEN a.den = 0 THEN '.'
              WHEN a.noisy THEN 'noise'
              ELSE 'ok' END AS status
  FROM grid g
  LEFT JOIN agg a USING (indicator_id, scope_level, scope_code, year, area_type)
)
SELECT indicator_id, scope_level, scope_code, year, area_type,
       CASE WHEN status IN ('ok', 'noise') THEN 100.0 * num / den END,
       CASE WHEN status IN ('ok', 'noise') THEN num END,
       CASE WHEN status IN ('ok', 'noise') THEN den END,
       n_areas::INTEGER, n_missing::INTEGER, status
FROM judged;
