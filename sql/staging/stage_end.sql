-- Purpose: record one stage of a run with its timing, row counts and outcome (replacing a retry's record).
-- Inputs:  $run_id, $stage, $started_at, $finished_at, $outcome, $row_counts (JSON text), $message.
-- Output:  one stage_run row.
INSERT OR REPLACE INTO stage_run (run_id, stage, started_at, finished_at, outcome, row_counts, message)
VALUES ($run_id, $stage, $started_at::TIMESTAMP, $finished_at::TIMESTAMP, $outcome, $row_counts, $message);
