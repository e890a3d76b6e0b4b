-- Purpose: what the latest successful build recorded (row counts, bootstrap draws), so a report states how the
--          measures it shows were made even when it is rendered in a later run.
-- Inputs:  stage_run.
-- Output:  the row_counts JSON text of the latest successful build stage, or no row.
SELECT row_counts FROM stage_run WHERE stage = 'build' AND outcome = 'ok' ORDER BY run_id DESC LIMIT 1;
