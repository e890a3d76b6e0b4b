-- Purpose: the codes of one area version in the register, to check a WFS layer's codes against.
-- Inputs:  area; $version.
-- Output:  code.
SELECT code FROM area WHERE version = $version ORDER BY code;
