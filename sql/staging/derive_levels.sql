-- Purpose: kommun, län and riket counts of a table SCB publishes only per DeSO/RegSO (and allows to aggregate),
--          summed from the table's DeSO rows by the kommun and län in each DeSO code (its first four and two
--          digits). A cell with any DeSO part missing or protected is NULL with status '..': a partial sum is
--          never published. From 2025 each DeSO part carries cell-key noise; the sum carries theirs (W217).
-- Inputs:  observation; $table_id (VARCHAR), $levels (VARCHAR[] of 'kommun', 'lan', 'riket').
-- Output:  observation rows with fetch_id 'derived', derived_from = the DeSO version summed. Run inside the
--          ingest's transaction for the table, after its rows were replaced (so earlier derived rows are gone).
INSERT INTO observation
WITH deso AS (
  SELECT source, measure, area_code, area_version, year, breakdown, value
  FROM observation
  WHERE table_id = $table_id AND derived_from IS NULL AND area_version LIKE 'DeSO%'
), levels AS (
  SELECT unnest($levels::VARCHAR[]) AS level
)
SELECT 'derived', d.source, $table_id, d.measure,
       CASE l.level WHEN 'kommun' THEN substr(d.area_code, 1, 4) WHEN 'lan' THEN substr(d.area_code, 1, 2) ELSE '00' END,
       CASE l.level WHEN 'kommun' THEN 'kommun2003' WHEN 'lan' THEN 'lan1998' ELSE 'riket' END,
       d.year, d.breakdown,
       CASE WHEN count(*) FILTER (WHERE d.value IS NULL) = 0 THEN sum(d.value) END,
       CASE WHEN count(*) FILTER (WHERE d.value IS NULL) = 0 THEN NULL ELSE '..' END,
       d.area_version
FROM deso d CROSS JOIN levels l
GROUP BY ALL;
