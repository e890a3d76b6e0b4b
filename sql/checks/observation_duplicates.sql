-- Purpose: data-quality check: a source cell must arrive once (same table, measure, area, version, year, breakdown).
-- Inputs:  observation.
-- Output:  offending keys with their count.
SELECT source, table_id, measure, area_code, area_version, year, breakdown, count(*) AS n
FROM observation
GROUP BY ALL
HAVING count(*) > 1
LIMIT 20;
