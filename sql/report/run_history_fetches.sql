-- Purpose: how many responses each source gave each of the latest runs, for `segfollow status --history`.
-- Inputs:  run, source_fetch; $limit (the number of runs, as in run_history.sql).
-- Output:  one row per run and source that run fetched from: run_id, source, fetches.
WITH runs AS (
  SELECT run_id FROM run ORDER BY started_at DESC, run_id DESC LIMIT $limit
)
SELECT f.run_id, f.source, count(*)::INTEGER AS fetches
FROM source_fetch f JOIN runs USING (run_id)
GROUP BY f.run_id, f.source
ORDER BY f.run_id, f.source;
