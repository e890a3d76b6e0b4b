-- Purpose: how many outlines of one area version the warehouse holds (0: fetch the WFS layer).
-- Inputs:  area_geometry; $version.
-- Output:  n.
SELECT count(*)::INTEGER AS n FROM area_geometry WHERE version = $version;
