-- Purpose: per sub-area (DeSO and RegSO) and year, the two counts of a two-group split for the segregation
--          stage: x = sum of the focal group's published parts, y = sum of the other group's published parts
--          (e.g. education levels 5+6 against 21+3+4+US). Each level's own published counts are used; RegSO
--          counts are never rebuilt from DeSO, and from 2025 (cell-key noise) each part is taken as published.
--          A unit whose parts are not all published (a part missing, NULL or protected at source) gets NULL
--          x and y, so the caller can count and leave it out; it is never read as 0.
-- Inputs:  observation; $tables, $measures, $focal_breakdowns, $other_breakdowns (VARCHAR[] each).
-- Output:  unit_level ('deso'|'regso'), unit_version, year, source_table, kommun_code, unit_code, x, y (DOUBLE),
--          ordered by unit_level, unit_version, year, source_table, kommun_code, unit_code, so that every
--          kommun and län (the first two digits of kommun_code) is one contiguous run of rows.
WITH parts AS (
  SELECT area_code, area_version, year, table_id, value,
         list_contains($focal_breakdowns, breakdown) AS is_focal,
         list_contains($other_breakdowns, breakdown) AS is_other
  FROM observation
  WHERE list_contains($tables, table_id) AND list_contains($measures, measure)
    AND (regexp_full_match(area_code, '\d{4}[ABC]\d{4}') OR regexp_full_match(area_code, '\d{4}R\d{3}'))
), units AS (
  SELECT area_code, area_version, year, table_id,
         sum(value) FILTER (WHERE is_focal) AS x,
         count(value) FILTER (WHERE is_focal) AS x_parts,
         sum(value) FILTER (WHERE is_other) AS y,
         count(value) FILTER (WHERE is_other) AS y_parts
  FROM parts
  WHERE is_focal OR is_other
  GROUP BY area_code, area_version, year, table_id
)
SELECT CASE WHEN substr(area_code, 5, 1) = 'R' THEN 'regso' ELSE 'deso' END AS unit_level,
       area_version AS unit_version, year, table_id AS source_table,
       substr(area_code, 1, 4) AS kommun_code, area_code AS unit_code,
       CASE WHEN complete THEN x END::DOUBLE AS x,
       CASE WHEN complete THEN y END::DOUBLE AS y
FROM (SELECT *, x_parts = len($focal_breakdowns) AND y_parts = len($other_breakdowns) AS complete FROM units)
ORDER BY unit_level, unit_version, year, source_table, kommun_code, unit_code;
