-- Purpose: record the release a table or KPI was fetched at (the ingest's change check compares the next run with it).
-- Inputs:  $source, $table_id, $released, $latest_period, $request_key, $origin, $run_id, $fetched_at.
-- Output:  one source_release row, replacing the table's previous one.
INSERT OR REPLACE INTO source_release (source, table_id, released, latest_period, request_key, origin, run_id, fetched_at)
VALUES ($source, $table_id, $released, $latest_period, $request_key, $origin, $run_id, $fetched_at::TIMESTAMP);
