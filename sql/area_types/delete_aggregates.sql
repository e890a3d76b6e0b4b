-- Purpose: clear the aggregates by area type before they are rebuilt from the current types (population, the
--          indicators by type and the type 1 − type 5 gaps are always recomputed whole, so a rerun is identical).
-- Inputs:  none.
-- Output:  area_type_population, indicator_by_area_type and area_type_gap emptied.
DELETE FROM area_type_population;
DELETE FROM indicator_by_area_type;
DELETE FROM area_type_gap;
