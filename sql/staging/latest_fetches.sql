-- Purpose: the responses that the most recent successful fetch of one table brought, for `--offline` rebuilds.
-- Inputs:  source_fetch, run; $table_id.
-- Output:  fetch rows (fetch_id, url, sha256, fetched_at, etag, last_modified) in fetch order.
SELECT f.fetch_id, f.url, f.sha256, f.method, f.request, f.fetched_at, f.etag, f.last_modified
FROM source_fetch f
WHERE f.table_id = $table_id
  -- The run that started last, not the largest run id: an id is the start second and a random suffix, so two runs
  -- in one second would be ordered by chance.
  AND f.run_id = (SELECT f2.run_id FROM source_fetch f2 JOIN run r USING (run_id)
                  WHERE f2.table_id = $table_id AND r.outcome IN ('ok', 'running', 'failed')
                  ORDER BY r.started_at DESC, f2.run_id DESC LIMIT 1)
ORDER BY f.fetch_id;
