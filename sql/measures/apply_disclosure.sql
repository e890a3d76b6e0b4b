-- Purpose: disclosure control. A value resting on fewer persons than the threshold is withheld (value, numerator
--          and denominator NULL) and marked 'suppressed' — kept as a row, never dropped.
-- Inputs:  indicator_value; $threshold (persons).
-- Output:  indicator_value updated in place.
UPDATE indicator_value
SET value = NULL, numerator = NULL, denominator = NULL, status = 'suppressed'
WHERE denominator IS NOT NULL AND denominator < $threshold;
