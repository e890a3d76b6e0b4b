-- Purpose: a percent indicator the source publishes as a percent without a count beside it; the numerator is
--          recovered as percent × denominator / 100 so that users can aggregate counts, never shares. The
--          denominator is a published count of the same population, from the same table or another of $tables
--          (e.g. the RegSO integration tables' percents over the population 20–64 of TAB6680).
-- Inputs:  observation; $indicator_id, $source_label, $tables, $pct_measure, $pct_breakdowns, $den_measure,
--          $den_breakdowns (VARCHAR[] each), $noise_from, $levels (VARCHAR[]: the area levels this method serves).
-- Output:  indicator_value rows for $indicator_id, for the areas and years where the percent table has a cell
--          (a denominator table that reaches further levels adds no rows); missing parts stay NULL with the
--          source's status, never 0.
INSERT INTO indicator_value
WITH agg AS (
  SELECT area_code, area_version, year,
         count(*) FILTER (WHERE list_contains($pct_measure, measure) AND list_contains($pct_breakdowns, breakdown)) AS pct_cells,
         max(value) FILTER (WHERE list_contains($pct_measure, measure) AND list_contains($pct_breakdowns, breakdown)) AS pct,
         max(status) FILTER (WHERE list_contains($pct_measure, measure) AND list_contains($pct_breakdowns, breakdown)) AS pct_status,
         max(value) FILTER (WHERE list_contains($den_measure, measure) AND list_contains($den_breakdowns, breakdown)) AS den,
         max(status) FILTER (WHERE list_contains($den_measure, measure) AND list_contains($den_breakdowns, breakdown)) AS den_status
  FROM observation
  WHERE list_contains($tables, table_id) AND list_contains($levels, area_level(area_version))
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
FROM (SELECT *, (pct IS NOT NULL AND den IS NOT NULL AND den > 0) AS ok FROM agg)
WHERE pct_cells > 0;
