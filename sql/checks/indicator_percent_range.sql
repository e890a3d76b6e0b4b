-- Purpose: data-quality check: percent indicators must lie in 0–100 and agree with numerator/denominator.
-- Inputs:  indicator_value, indicator.
-- Output:  offending rows (none when the data are sound).
SELECT v.indicator_id, v.area_code, v.area_version, v.year, v.value, v.numerator, v.denominator
FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id
WHERE i.unit = 'procent' AND v.value IS NOT NULL
  AND (v.value < 0 OR v.value > 100
       OR (v.denominator IS NOT NULL AND abs(v.value - 100.0 * v.numerator / v.denominator) > 1e-9));
