-- Purpose: the sources page: every table or KPI the current observations came from, with URL, fetch time and hash.
-- Inputs:  observation, source_fetch.
-- Output:  source, table_id, url, fetched_at, sha256 — one row per table (its first response), sorted by id.
SELECT f.source, f.table_id, arg_min(f.url, f.fetch_id) AS url, min(f.fetched_at) AS fetched_at,
       arg_min(f.sha256, f.fetch_id) AS sha256, count(*)::INTEGER AS responses
FROM source_fetch f
WHERE f.fetch_id IN (SELECT DISTINCT fetch_id FROM observation)
   OR f.fetch_id IN (SELECT max(fetch_id) FROM source_fetch WHERE table_id LIKE '%.csv' GROUP BY table_id)
GROUP BY f.source, f.table_id
ORDER BY f.source DESC, f.table_id;
