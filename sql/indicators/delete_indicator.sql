-- Purpose: clear one indicator's values before it is recomputed, so a rebuild is idempotent.
-- Inputs:  $indicator_id.
-- Output:  indicator_value without rows for $indicator_id.
DELETE FROM indicator_value WHERE indicator_id = $indicator_id;
