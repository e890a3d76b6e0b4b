-- Purpose: data-quality check: one value per indicator, area, area version and year (the table's natural key,
--          checked here rather than by an index, which made rebuilds slow). The keys are grouped by their 64-bit
--          hash first (cheaper than grouping the columns); only rows whose hash comes twice (a duplicate, or a
--          collision, which the exact grouping then drops) are grouped by the columns themselves.
-- Inputs:  indicator_value.
-- Output:  offending keys with their count.
WITH suspect AS (
  SELECT hash(indicator_id, area_code, area_version, year) AS h
  FROM indicator_value
  GROUP BY h
  HAVING count(*) > 1
)
SELECT indicator_id, area_code, area_version, year, count(*) AS n
FROM indicator_value
WHERE hash(indicator_id, area_code, area_version, year) IN (SELECT h FROM suspect)
GROUP BY ALL
HAVING count(*) > 1
LIMIT 20;
