-- Purpose: the segregation export: every measure per scope and year up to the report year.
-- Inputs:  segregation_index; $year.
-- Output:  the published columns of segregation_index: the estimate, the bootstrap's bias-corrected estimate and
--          standard error beside the interval (bias and draws stay in the warehouse).
SELECT measure, groups, focal, scope_level, scope_code, unit_level, unit_version, year, value, expected,
       ci_low, ci_high, bias_corrected, se, n_units, total, status, source_table
FROM segregation_index
WHERE year <= $year
ORDER BY measure, groups, CASE scope_level WHEN 'riket' THEN 0 WHEN 'lan' THEN 1 ELSE 2 END, scope_code, year;
