-- Purpose: per sub-area (DeSO and RegSO) and year, the persons in each national income quartile for the multigroup
--          segregation indices. SCB (TAB6684) publishes the number of persons and each quartile's share in whole
--          percent, so each count is round(share × persons / 100): off by up to half a percent of the persons
--          (W222_WHOLE_PERCENT), and the four need not add up to the persons exactly. A unit with the persons or
--          any share missing or protected at source gets NULL in all four columns (never 0).
-- Inputs:  observation; $table, $persons_measure (VARCHAR), $share_measures (VARCHAR[4], quartiles 1..4 in order).
-- Output:  unit_level ('deso'|'regso'), unit_version, year, source_table, kommun_code, unit_code, q1..q4 (DOUBLE),
--          ordered by unit_level, unit_version, year, source_table, kommun_code, unit_code.
WITH units AS (
  SELECT area_code, area_version, year, table_id,
         max(value) FILTER (WHERE measure = $persons_measure) AS persons,
         max(value) FILTER (WHERE measure = $share_measures[1]) AS s1,
         max(value) FILTER (WHERE measure = $share_measures[2]) AS s2,
         max(value) FILTER (WHERE measure = $share_measures[3]) AS s3,
         max(value) FILTER (WHERE measure = $share_measures[4]) AS s4
  FROM observation
  WHERE table_id = $table AND (measure = $persons_measure OR list_contains($share_measures, measure))
    AND (regexp_full_match(area_code, '\d{4}[ABC]\d{4}') OR regexp_full_match(area_code, '\d{4}R\d{3}'))
  GROUP BY area_code, area_version, year, table_id
), checked AS (
  SELECT *, (persons IS NOT NULL AND s1 IS NOT NULL AND s2 IS NOT NULL AND s3 IS NOT NULL AND s4 IS NOT NULL) AS complete
  FROM units
)
SELECT CASE WHEN substr(area_code, 5, 1) = 'R' THEN 'regso' ELSE 'deso' END AS unit_level,
       area_version AS unit_version, year, table_id AS source_table,
       substr(area_code, 1, 4) AS kommun_code, area_code AS unit_code,
       CASE WHEN complete THEN round(s1 * persons / 100.0) END::DOUBLE AS q1,
       CASE WHEN complete THEN round(s2 * persons / 100.0) END::DOUBLE AS q2,
       CASE WHEN complete THEN round(s3 * persons / 100.0) END::DOUBLE AS q3,
       CASE WHEN complete THEN round(s4 * persons / 100.0) END::DOUBLE AS q4
FROM checked
ORDER BY unit_level, unit_version, year, source_table, kommun_code, unit_code;
