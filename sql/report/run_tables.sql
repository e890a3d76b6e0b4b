-- Purpose: whether a warehouse opened read-only holds the run records (a warehouse made before them, or by
--          another tool, has none, and status may not create them).
-- Inputs:  the catalogue (information_schema.tables).
-- Output:  one row: tables, the number of run, stage_run and source_fetch present (3 when all are).
SELECT count(*)::INTEGER AS tables
FROM information_schema.tables
WHERE table_schema = 'main' AND table_name IN ('run', 'stage_run', 'source_fetch');
