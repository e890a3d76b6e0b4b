-- Purpose: per sub-area (DeSO and RegSO) and year, the persons in each national income quintile (TAB6679
--          K1..K5) for the multigroup segregation indices. Each level's own published counts, as published
--          (also under cell-key noise). A unit with any quintile missing or protected at source gets NULL in all
--          five columns, so the caller can count and leave it out; it is never read as 0.
-- Inputs:  observation; $table, $measure (VARCHAR), $breakdowns (VARCHAR[5], the quintiles in order K1..K5).
-- Output:  unit_level ('deso'|'regso'), unit_version, year, source_table, kommun_code, unit_code, q1..q5
--          (DOUBLE), ordered by unit_level, unit_version, year, source_table, kommun_code, unit_code.
WITH units AS (
  SELECT area_code, area_version, year, table_id,
         max(value) FILTER (WHERE breakdown = $breakdowns[1]) AS q1,
         max(value) FILTER (WHERE breakdown = $breakdowns[2]) AS q2,
         max(value) FILTER (WHERE breakdown = $breakdowns[3]) AS q3,
         max(value) FILTER (WHERE breakdown = $breakdowns[4]) AS q4,
         max(value) FILTER (WHERE breakdown = $breakdowns[5]) AS q5
  FROM observation
  WHERE table_id = $table AND measure = $measure AND list_contains($breakdowns, breakdown)
    AND (regexp_full_match(area_code, '\d{4}[ABC]\d{4}') OR regexp_full_match(area_code, '\d{4}R\d{3}'))
  GROUP BY area_code, area_version, year, table_id
), checked AS (
  SELECT *, (q1 IS NOT NULL AND q2 IS NOT NULL AND q3 IS NOT NULL AND q4 IS NOT NULL AND q5 IS NOT NULL) AS complete
  FROM units
)
SELECT CASE WHEN substr(area_code, 5, 1) = 'R' THEN 'regso' ELSE 'deso' END AS unit_level,
       area_version AS unit_version, year, table_id AS source_table,
       substr(area_code, 1, 4) AS kommun_code, area_code AS unit_code,
       CASE WHEN complete THEN q1 END::DOUBLE AS q1,
       CASE WHEN complete THEN q2 END::DOUBLE AS q2,
       CASE WHEN complete THEN q3 END::DOUBLE AS q3,
       CASE WHEN complete THEN q4 END::DOUBLE AS q4,
       CASE WHEN complete THEN q5 END::DOUBLE AS q5
FROM checked
ORDER BY unit_level, unit_version, year, source_table, kommun_code, unit_code;
