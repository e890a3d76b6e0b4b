-- Purpose: record how a run ended.
-- Inputs:  $run_id, $finished_at, $outcome ('ok' | 'failed' | 'interrupted').
-- Output:  the run row updated.
UPDATE run SET finished_at = $finished_at::TIMESTAMP, outcome = $outcome WHERE run_id = $run_id;
