-- Purpose: the areas that get a report of their own at one level (län or kommun), in Swedish name order.
-- Inputs:  area; $level.
-- Output:  code, name.
SELECT code, name FROM area WHERE level = $level ORDER BY name COLLATE sv, code;
