-- Purpose: replace the area register and the crosswalk from the staged key tables (one statement per table
--          would leave a window where the register is empty; the caller runs this in a transaction).
-- Inputs:  temporary tables area_stage, crosswalk_stage.
-- Output:  area and area_crosswalk replaced.
DELETE FROM area;
INSERT INTO area SELECT DISTINCT * FROM area_stage;
DELETE FROM area_crosswalk;
INSERT INTO area_crosswalk SELECT * FROM crosswalk_stage;
