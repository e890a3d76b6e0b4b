-- Purpose: drop Kolada's municipality groups before a new listing is stored (the listing is always whole).
-- Inputs:  municipality_group.
-- Output:  none (rows deleted).
DELETE FROM municipality_group;
