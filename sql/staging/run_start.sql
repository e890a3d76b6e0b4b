-- Purpose: record the start of a run (outcome 'running' until it ends).
-- Inputs:  $run_id, $started_at, $command, $args, $report_year, $versions.
-- Output:  one run row.
INSERT INTO run (run_id, started_at, command, args, report_year, versions, outcome)
VALUES ($run_id, $started_at::TIMESTAMP, $command, $args, $report_year, $versions, 'running');
