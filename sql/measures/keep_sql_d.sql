-- Purpose: set aside the SQL dissimilarity index (measures/dissimilarity.sql) before the engine rewrites D, so the
--          two independent computations can be compared (measures/compare_d.sql).
-- Inputs:  segregation_index; $groups.
-- Output:  temporary table sql_d with those D rows.
CREATE OR REPLACE TEMP TABLE sql_d AS
SELECT scope_level, scope_code, unit_level, unit_version, year, value, n_units, total, status
FROM segregation_index
WHERE measure = 'D' AND groups = $groups AND unit_level = 'deso';
