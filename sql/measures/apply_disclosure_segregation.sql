-- Purpose: disclosure control for segregation indices: an index over fewer persons than the threshold is withheld
--          (value, expected value, bias-corrected value, bias, se and interval NULL) and marked 'suppressed' — the row stays, with n_units and total.
-- Inputs:  segregation_index; $threshold (persons).
-- Output:  segregation_index updated in place.
UPDATE segregation_index
SET value = NULL, expected = NULL, ci_low = NULL, ci_high = NULL, bias_corrected = NULL, bias = NULL, se = NULL,
    status = 'suppressed'
WHERE total IS NOT NULL AND total < $threshold AND status = 'ok';
