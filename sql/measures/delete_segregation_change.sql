-- Purpose: clear the segregation changes before sql/measures/segregation_change.sql computes them again
--          (idempotent rebuild).
-- Inputs:  none.
-- Output:  segregation_index_change empty.
DELETE FROM segregation_index_change;
