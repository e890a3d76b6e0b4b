-- Purpose: a percent indicator the source publishes as a percent beside its denominator count; the numerator is
--          recovered as percent × denominator / 100 so that users can aggregate counts, never shares.
-- Inputs:  observation; $indicator_id, $source_label, $tables, $pct_measure, $pct_breakdowns, $den_measure,
--          $den_breakdowns (VARCHAR[] each), $noise_from.
-- Output:  indicator_value rows for $indicator_id; missing parts stay NULL with the source's status.
INSERT INTO indicator_value
WITH agg AS (
  SELECT area_code, area_version, year,
         max(value) FILTER (WHERE list_contains($pct_measure, measure) AND list_contains($pct_breakdowns, breakdown)) AS pct,
         max(status) FILTER (WHERE list_contains($pct_measure, measure) AND list_contains($pct_breakdowns, breakdown)) AS pct_status,
         max(value) FILTER (WHERE list_contains($den_measure, measure) AND list_contains($den_breakdowns, breakdown)) AS den,
         max(status) FILTER (WHERE list_contains($den_measure, measure) AND list_contains($den_breakdowns, breakdown)) AS den_status
  FROM observation
  WHERE list_contains($tables, table_id)
  GROUP BY area_code, area_version, year
)
SELECT $indicator_id, area_code, area_version, year,
       CASE WHEN ok THEN pct END,
       CASE WHEN ok THEN pct * den / 100.0 END,
       CASE WHEN ok THEN den END,
       CASE WHEN ok AND year >= $noise_from THEN 'noise'
            WHEN ok THEN 'ok'
            ELSE coalesce(pct_status, den_status, '..') END,
       $source_label
FROM (SELECT *, (pct IS NOT NULL AND den IS NOT NULL AND den > 0) AS ok FROM agg);
