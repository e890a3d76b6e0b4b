-- Purpose: the population weights that move DeSO counts of one area version onto the next (the DeSO 2018 → 2025
--          break), for the segregation stage's bridge year.
-- Inputs:  area_crosswalk; $from_version, $to_version.
-- Output:  from_code, to_code, weight (share of the old area's population in the new one), ordered.
SELECT from_code, to_code, weight
FROM area_crosswalk
WHERE from_version = $from_version AND to_version = $to_version AND weight > 0
ORDER BY from_code, to_code;
