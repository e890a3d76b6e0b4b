-- Purpose: how many member rows of Kolada's municipality groups the warehouse holds (0: fetch them).
-- Inputs:  municipality_group.
-- Output:  n.
SELECT count(*)::INTEGER AS n FROM municipality_group;
