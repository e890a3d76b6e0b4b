-- Purpose: a count indicator (e.g. population) as the source publishes it at every area level: the named cell,
--          normally one published total. The count is also the numerator, so that area types and users can add it
--          up; there is no denominator. Nothing is rebuilt from lower levels.
-- Inputs:  observation; $indicator_id, $source_label, $tables, $measures, $breakdowns (VARCHAR[]; one cell per
--          breakdown and area-year, as with share_from_counts), $noise_from (first year with cell-key noise; 9999 if none),
--          $levels (VARCHAR[]: the area levels this method serves).
-- Output:  indicator_value rows for $indicator_id: value = numerator = the count, denominator NULL. A missing or
--          protected cell leaves value and numerator NULL with the source's status (never 0); noise years get 'noise'.
INSERT INTO indicator_value
WITH agg AS (
  SELECT area_code, area_version, year,
         sum(value) AS n,
         count(*) FILTER (WHERE value IS NULL) AS missing,
         count(*) AS parts,
         min(status) FILTER (WHERE value IS NULL) AS missing_status
  FROM observation
  WHERE list_contains($tables, table_id) AND list_contains($measures, measure) AND list_contains($breakdowns, breakdown)
    AND list_contains($levels, area_level(area_version))
  GROUP BY area_code, area_version, year
)
SELECT $indicator_id, area_code, area_version, year,
       CASE WHEN ok THEN n END AS value,
       CASE WHEN ok THEN n END AS numerator,
       NULL AS denominator,
       CASE WHEN ok AND year >= $noise_from THEN 'noise'
            WHEN ok THEN 'ok'
            ELSE coalesce(missing_status, '..') END AS status,
       $source_label
FROM (SELECT *, (missing = 0 AND parts = len($breakdowns)) AS ok FROM agg);
