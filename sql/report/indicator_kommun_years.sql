-- Purpose: one indicator's value for every kommun in every year up to the report year, for the similar-kommun bands
--          (read once per indicator and stage, not once per report).
-- Inputs:  indicator_value, area; $indicator_id, $year.
-- Output:  code, year, value (NULL where missing or withheld) — by code and year.
SELECT a.code, v.year, v.value
FROM indicator_value v
JOIN area a ON a.code = v.area_code AND a.version = v.area_version AND a.level = 'kommun'
WHERE v.indicator_id = $indicator_id AND v.year <= $year
ORDER BY a.code, v.year;
