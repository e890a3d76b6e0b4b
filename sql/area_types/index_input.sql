-- Purpose: the input of the area-type cut rule (cut.sql) from the warehouse: V1, V2 and V3 of the socio-economic
--          index per RegSO and year (SCB TAB6586, the v2 id of IntGr5Socio; SOURCES.md §4.1). A RegSO-year with a component absent,
--          empty or protected at source keeps that component NULL and names it in `missing` with the source's
--          status, e.g. 'V2 (..)' or 'V3 (absent)', so that cut.sql gives it no index and no type.
-- Inputs:  observation; $table_id, $breakdown, $v1, $v2, $v3 (contents codes of the three components).
-- Output:  temporary table area_type_input(grp, unit, year, area_version, v1, v2, v3, index_value, missing), one
--          row per RegSO-year present in the table; grp is year and RegSO version, the set one mean and SD cover.
CREATE OR REPLACE TEMP TABLE area_type_input AS
WITH comp AS (
  SELECT area_code, area_version, year,
         max(value) FILTER (WHERE measure = $v1) AS v1,
         max(value) FILTER (WHERE measure = $v2) AS v2,
         max(value) FILTER (WHERE measure = $v3) AS v3,
         coalesce(max(status) FILTER (WHERE measure = $v1), CASE WHEN count(*) FILTER (WHERE measure = $v1) = 0 THEN 'absent' ELSE '..' END) AS s1,
         coalesce(max(status) FILTER (WHERE measure = $v2), CASE WHEN count(*) FILTER (WHERE measure = $v2) = 0 THEN 'absent' ELSE '..' END) AS s2,
         coalesce(max(status) FILTER (WHERE measure = $v3), CASE WHEN count(*) FILTER (WHERE measure = $v3) = 0 THEN 'absent' ELSE '..' END) AS s3
  FROM observation
  WHERE table_id = $table_id AND breakdown = $breakdown AND starts_with(area_version, 'RegSO')
  GROUP BY area_code, area_version, year
)
SELECT year::VARCHAR || ' ' || area_version AS grp,
       area_code AS unit,
       year,
       area_version,
       v1, v2, v3,
       NULL::DOUBLE AS index_value,
       nullif(concat_ws(', ',
         CASE WHEN v1 IS NULL THEN 'V1 (' || s1 || ')' END,
         CASE WHEN v2 IS NULL THEN 'V2 (' || s2 || ')' END,
         CASE WHEN v3 IS NULL THEN 'V3 (' || s3 || ')' END), '') AS missing
FROM comp;
