-- Purpose: region codes of one source table that are in no area register: rows just loaded (inside the table's
--          transaction) whose (area_code, area_version) the area table does not hold — a code of a known shape that
--          names no riket, län, kommun, DeSO or RegSO (7114, 71, 7114A0020), or a code of no known shape
--          (area_version 'unclassified'). Set-based: one anti-join per table, not a lookup per row.
-- Inputs:  observation, area, source_fetch; $source ('SCB' | 'Kolada'), $table_id.
-- Output:  up to 20 rows (area_code, area_version, served: the code as the source wrote it, n_rows, url: a
--          response that held it, n_codes: how many codes in all), by code. Empty when every code is known.
WITH unknown AS (
  SELECT o.area_code, o.area_version, count(*)::INTEGER AS n_rows, min(f.url) AS url
  FROM observation o
  LEFT JOIN source_fetch f ON f.fetch_id = o.fetch_id
  WHERE o.source = $source AND o.table_id = $table_id AND o.derived_from IS NULL
    AND NOT EXISTS (SELECT 1 FROM area a WHERE a.code = o.area_code AND a.version = o.area_version)
  GROUP BY o.area_code, o.area_version
)
SELECT area_code, area_version,
       CASE
         WHEN $source = 'Kolada' AND area_version = 'riket' THEN '0000'
         WHEN $source = 'Kolada' AND area_version = 'lan1998' THEN '00' || area_code
         WHEN area_version IN ('DeSO2025', 'RegSO2025') THEN area_code || '_' || area_version
         ELSE area_code
       END AS served,
       n_rows, coalesce(url, '(no recorded response)') AS url,
       (count(*) OVER ())::INTEGER AS n_codes
FROM unknown
ORDER BY area_code, area_version
LIMIT 20;
