-- Purpose: drop the outlines of one area version before a new fetch of its WFS layer is stored.
-- Inputs:  area_geometry; $version.
-- Output:  none (rows deleted).
DELETE FROM area_geometry WHERE version = $version;
