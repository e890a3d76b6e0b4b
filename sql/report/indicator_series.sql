-- Purpose: one area's yearly series of one indicator, up to the report year (for charts and summary text).
-- Inputs:  indicator_value; $indicator_id, $area_code, $year.
-- Output:  year, value, status, area_version, numerator, denominator — one row per year the indicator exists for
--          the area (the counts let the report set a change of a share against its sampling uncertainty).
SELECT year, value, status, area_version, numerator, denominator
FROM indicator_value
WHERE indicator_id = $indicator_id AND area_code = $area_code AND year <= $year
ORDER BY year;
