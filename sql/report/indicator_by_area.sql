-- Purpose: the latest value of one indicator for every area of one level (kommun or län), with official names,
--          in Swedish alphabetical order. "Latest" is the given year (the report's latest year for the indicator).
-- Inputs:  indicator_value, area; $indicator_id, $level, $year.
-- Output:  code, name, lan_code, value, status.
SELECT a.code, a.name, a.lan_code, v.value, coalesce(v.status, '..') AS status
FROM area a
LEFT JOIN indicator_value v
  ON v.area_code = a.code AND v.area_version = a.version AND v.indicator_id = $indicator_id AND v.year = $year
WHERE a.level = $level
ORDER BY a.name COLLATE sv, a.code;
