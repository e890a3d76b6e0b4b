-- Purpose: data-quality check: one value per indicator, area, area version and year (the table's natural key,
--          checked here rather than by an index, which made rebuilds slow).
-- Inputs:  indicator_value.
-- Output:  offending keys with their count.
SELECT indicator_id, area_code, area_version, year, count(*) AS n
FROM indicator_value
GROUP BY ALL
HAVING count(*) > 1
LIMIT 20;
