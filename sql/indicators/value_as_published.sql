-- Purpose: an indicator that cannot be aggregated (a median) taken as the source publishes it for each area and
--          level: value × $scale (e.g. 1000 turns tkr into kronor). Higher levels are never derived from lower ones.
-- Inputs:  observation; $indicator_id, $source_label, $tables, $measures, $breakdowns (VARCHAR[]; exactly one cell
--          per area and year), $scale, $noise_from (first year with cell-key noise; 9999 if none), $levels (VARCHAR[]:
--          the area levels this method serves).
-- Output:  indicator_value rows with numerator and denominator NULL; a missing or protected cell keeps value NULL
--          with the source's status (never 0); values from noise-protected years get status 'noise'.
INSERT INTO indicator_value
SELECT $indicator_id, area_code, area_version, year,
       value * $scale,
       NULL, NULL,
       CASE WHEN value IS NULL THEN coalesce(nullif(status, ''), '..')
            WHEN year >= $noise_from THEN 'noise'
            ELSE 'ok' END,
       $source_label
FROM observation
WHERE list_contains($tables, table_id) AND list_contains($measures, measure) AND list_contains($breakdowns, breakdown)
  AND list_contains($levels, area_level(area_version));
