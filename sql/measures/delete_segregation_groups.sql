-- Purpose: clear every segregation_index row of the given group splits before the segregation stage writes them
--          again (idempotent rebuild). This also removes the SQL 'D' rows that the build stage wrote for the same
--          split (sql/measures/dissimilarity.sql); the stage writes D again from the index engine.
-- Inputs:  segregation_index; $groups (VARCHAR[], the groups labels of the splits).
-- Output:  segregation_index without those rows.
DELETE FROM segregation_index WHERE list_contains($groups, groups);
