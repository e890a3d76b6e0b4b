-- Purpose: record the settings a build applied (the report prints this threshold; a later build of a demo warehouse
--          keeps its draws).
-- Inputs:  $run_id, $built_at, $disclosure_threshold, $bootstrap_draws, $demo.
-- Output:  one build_setting row.
INSERT INTO build_setting (run_id, built_at, disclosure_threshold, bootstrap_draws, demo)
VALUES ($run_id, $built_at::TIMESTAMP, $disclosure_threshold, $bootstrap_draws, $demo);
