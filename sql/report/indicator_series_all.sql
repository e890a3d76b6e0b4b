-- Purpose: every riket, län and kommun series of every indicator up to the report year, read once per report run:
--          the report stage takes each report's own series (and the län's and riket's beside it) from this instead
--          of asking indicator_series.sql once per indicator and report (some 15 000 scans of indicator_value).
-- Inputs:  indicator_value, area; $year.
-- Output:  indicator_id, area_code, year, value, status, area_version, numerator, denominator — ordered by
--          indicator, area and year (one row per indicator, area and year: sql/checks/indicator_value_duplicates.sql).
SELECT v.indicator_id, v.area_code, v.year, v.value, v.status, v.area_version, v.numerator, v.denominator
FROM indicator_value v
WHERE v.year <= $year AND v.area_code IN (SELECT code FROM area WHERE level IN ('riket', 'lan', 'kommun'))
ORDER BY v.indicator_id, v.area_code, v.year;
