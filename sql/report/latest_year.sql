-- Purpose: the latest year, up to the report year, in which an indicator has a value for the given area.
-- Inputs:  indicator_value; $indicator_id, $area_code, $year.
-- Output:  one row: latest (NULL if the indicator has no value at all).
SELECT max(year) AS latest
FROM indicator_value
WHERE indicator_id = $indicator_id AND area_code = $area_code AND year <= $year AND value IS NOT NULL;
