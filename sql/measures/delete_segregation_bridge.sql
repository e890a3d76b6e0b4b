-- Purpose: clear the DeSO break bridge before the segregation stage writes it again (idempotent rebuild).
-- Inputs:  none.
-- Output:  segregation_bridge empty.
DELETE FROM segregation_bridge;
