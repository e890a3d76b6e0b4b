-- Purpose: the data export beside each report: every indicator value for riket, län and kommun with its source,
--          year, area version and status (suppressed values are kept as rows with an empty value).
-- Inputs:  indicator_value, indicator, area; $year.
-- Output:  one row per indicator, area and year up to the report year.
SELECT v.indicator_id, i.title_sv, a.level, v.area_code, a.name AS area_name, v.area_version, v.year,
       v.value, v.numerator, v.denominator, v.status, v.source_table, i.unit
FROM indicator_value v
JOIN indicator i ON i.id = v.indicator_id
JOIN area a ON a.code = v.area_code AND a.version = v.area_version
WHERE a.level IN ('riket', 'lan', 'kommun') AND v.year <= $year
ORDER BY v.indicator_id, CASE a.level WHEN 'riket' THEN 0 WHEN 'lan' THEN 1 ELSE 2 END, v.area_code, v.year;
