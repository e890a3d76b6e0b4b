-- Purpose: data-quality check: a missing value must say why (status), so NULL is never mistaken for 0.
-- Inputs:  indicator_value.
-- Output:  offending rows.
SELECT indicator_id, area_code, area_version, year
FROM indicator_value
WHERE value IS NULL AND (status IS NULL OR status IN ('ok', 'noise'))
LIMIT 20;
