-- Purpose: per sub-area (DeSO and RegSO) and year, a two-group split the source publishes as a percent beside
--          the total count (TAB6685: low economic standard, % of all persons): x = round(percent × total / 100)
--          whole persons, y = total − x. The percent is published with one decimal, so x can be off by up to
--          0.05 % of the total (about one person in a DeSO of 2,000) plus ½ from rounding to a whole person;
--          the indicator keeps the unrounded product, the indices need whole people (bootstrap, §8).
--          A unit whose percent or total is missing or protected at source gets NULL x and y (never 0).
-- Inputs:  observation; $table, $pct_measure, $total_measure, $breakdown (VARCHAR each).
-- Output:  unit_level ('deso'|'regso'), unit_version, year, source_table, kommun_code, unit_code, x, y (DOUBLE),
--          ordered by unit_level, unit_version, year, source_table, kommun_code, unit_code.
WITH units AS (
  SELECT area_code, area_version, year, table_id,
         max(value) FILTER (WHERE measure = $pct_measure) AS pct,
         max(value) FILTER (WHERE measure = $total_measure) AS total
  FROM observation
  WHERE table_id = $table AND breakdown = $breakdown AND measure IN ($pct_measure, $total_measure)
    AND (regexp_full_match(area_code, '\d{4}[ABC]\d{4}') OR regexp_full_match(area_code, '\d{4}R\d{3}'))
  GROUP BY area_code, area_version, year, table_id
), counted AS (
  SELECT *, CASE WHEN pct IS NOT NULL AND total IS NOT NULL THEN round(pct * total / 100.0) END AS low
  FROM units
)
SELECT CASE WHEN substr(area_code, 5, 1) = 'R' THEN 'regso' ELSE 'deso' END AS unit_level,
       area_version AS unit_version, year, table_id AS source_table,
       substr(area_code, 1, 4) AS kommun_code, area_code AS unit_code,
       low::DOUBLE AS x,
       (total - low)::DOUBLE AS y
FROM counted
ORDER BY unit_level, unit_version, year, source_table, kommun_code, unit_code;
