-- Purpose: a percent indicator from counts the source publishes at every area level: 100 × numerator / denominator.
--          Each level uses the source's own counts for that level; nothing is averaged or rebuilt from lower levels.
--          Where the pipeline derived a level's counts by summing DeSO (observation.derived_from), the source label
--          says so.
-- Inputs:  observation; $indicator_id, $source_label, $tables, $num_measures, $num_breakdowns, $den_measures,
--          $den_breakdowns (VARCHAR[]), $noise_from (first year with cell-key noise; 9999 if none), $levels
--          (VARCHAR[]: the area levels this method serves).
-- Output:  indicator_value rows for $indicator_id. A missing or protected part leaves value, numerator and
--          denominator NULL with the source's status (never 0); values from noise-protected years get status 'noise'.
INSERT INTO indicator_value
WITH parts AS (
  SELECT area_code, area_version, year, value, status, derived_from,
         list_contains($num_measures, measure) AND list_contains($num_breakdowns, breakdown) AS is_num,
         list_contains($den_measures, measure) AND list_contains($den_breakdowns, breakdown) AS is_den
  FROM observation
  WHERE list_contains($tables, table_id) AND list_contains($levels, area_level(area_version))
), agg AS (
  SELECT area_code, area_version, year,
         sum(value) FILTER (WHERE is_num) AS num,
         count(*) FILTER (WHERE is_num AND value IS NULL) AS num_missing,
         count(*) FILTER (WHERE is_num) AS num_parts,
         sum(value) FILTER (WHERE is_den) AS den,
         count(*) FILTER (WHERE is_den AND value IS NULL) AS den_missing,
         count(*) FILTER (WHERE is_den) AS den_parts,
         min(status) FILTER (WHERE (is_num OR is_den) AND value IS NULL) AS missing_status,
         bool_or(derived_from IS NOT NULL) AS derived
  FROM parts
  WHERE is_num OR is_den
  GROUP BY area_code, area_version, year
)
SELECT $indicator_id, area_code, area_version, year,
       CASE WHEN ok THEN 100.0 * num / den END AS value,
       CASE WHEN ok THEN num END AS numerator,
       CASE WHEN ok THEN den END AS denominator,
       CASE WHEN ok AND year >= $noise_from THEN 'noise'
            WHEN ok THEN 'ok'
            WHEN den = 0 AND num_missing = 0 AND den_missing = 0 THEN '.'
            ELSE coalesce(missing_status, '..') END AS status,
       $source_label || CASE WHEN derived THEN ' (summerat från DeSO)' ELSE '' END
FROM (
  SELECT *, (num_missing = 0 AND den_missing = 0 AND num_parts = len($num_breakdowns)
             AND den_parts = len($den_breakdowns) AND den > 0) AS ok
  FROM agg
);
