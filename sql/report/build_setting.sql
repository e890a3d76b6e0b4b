-- Purpose: the settings the warehouse's last build applied (the report prints its disclosure threshold).
-- Inputs:  build_setting.
-- Output:  at most one row: run_id, built_at, disclosure_threshold, bootstrap_draws, demo.
SELECT run_id, built_at, disclosure_threshold, bootstrap_draws, demo
FROM build_setting
ORDER BY built_at DESC
LIMIT 1;
