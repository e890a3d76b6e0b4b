-- Purpose: kommun, län and riket counts of a table SCB publishes only per DeSO/RegSO (and allows to aggregate),
--          summed from the table's DeSO rows by the kommun and län in each DeSO code (its first four and two
--          digits). A cell with any DeSO part missing or protected is NULL with status '..': a partial sum is
--          never published. A part is missing when its value is NULL or its row is absent: every cell must have
--          each DeSO the table holds in that DeSO version (in any year or cell) inside the kommun, län or riket.
--          From 2025 each DeSO part carries cell-key noise; the sum carries theirs (W217).
-- Inputs:  observation; $table_id (VARCHAR), $levels (VARCHAR[] of 'kommun', 'lan', 'riket').
-- Output:  observation rows with fetch_id 'derived', derived_from = the DeSO version summed. Run inside the
--          ingest's transaction for the table, after its rows were replaced (so earlier derived rows are gone).
INSERT INTO observation
WITH deso AS (
  SELECT source, measure, area_code, area_version, year, breakdown, value
  FROM observation
  WHERE table_id = $table_id AND derived_from IS NULL AND area_version LIKE 'DeSO%'
), parts AS (
  SELECT d.*, l.level,
         CASE l.level WHEN 'kommun' THEN substr(d.area_code, 1, 4) WHEN 'lan' THEN substr(d.area_code, 1, 2) ELSE '00' END AS code
  FROM deso d CROSS JOIN (SELECT unnest($levels::VARCHAR[]) AS level) l
), expected AS (
  SELECT level, code, area_version, count(DISTINCT area_code) AS n_deso
  FROM parts
  GROUP BY level, code, area_version
), agg AS (
  SELECT p.source, p.measure, p.level, p.code, p.area_version, p.year, p.breakdown,
         sum(p.value) AS total,
         count(*) = e.n_deso AND count(DISTINCT p.area_code) = e.n_deso AND count(p.value) = count(*) AS complete
  FROM parts p JOIN expected e USING (level, code, area_version)
  GROUP BY p.source, p.measure, p.level, p.code, p.area_version, p.year, p.breakdown, e.n_deso
)
SELECT 'derived', source, $table_id, measure, code,
       CASE level WHEN 'kommun' THEN 'kommun2003' WHEN 'lan' THEN 'lan1998' ELSE 'riket' END,
       year, breakdown,
       CASE WHEN complete THEN total END,
       CASE WHEN complete THEN NULL ELSE '..' END,
       area_version
FROM agg;
