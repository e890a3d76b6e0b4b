-- Purpose: data-quality check: a source cell must arrive once (same table, measure, area, version, year, breakdown).
--          The keys are grouped by their 64-bit hash first, which costs a third of grouping the seven columns over
--          3 million rows; only rows whose hash comes twice (a duplicate, or a collision, which the exact grouping
--          then drops) are grouped by the columns themselves.
-- Inputs:  observation.
-- Output:  offending keys with their count.
WITH suspect AS (
  SELECT hash(source, table_id, measure, area_code, area_version, year, breakdown) AS h
  FROM observation
  GROUP BY h
  HAVING count(*) > 1
)
SELECT source, table_id, measure, area_code, area_version, year, breakdown, count(*) AS n
FROM observation
WHERE hash(source, table_id, measure, area_code, area_version, year, breakdown) IN (SELECT h FROM suspect)
GROUP BY ALL
HAVING count(*) > 1
LIMIT 20;
