-- Purpose: record one HTTP response (provenance): where it came from, when, and the hash of its stored body.
-- Inputs:  bound values for every column of source_fetch.
-- Output:  one source_fetch row.
INSERT INTO source_fetch (fetch_id, run_id, source, table_id, method, request, url, http_status, fetched_at, sha256, bytes)
VALUES ($fetch_id, $run_id, $source, $table_id, $method, $request, $url, $http_status, $fetched_at::TIMESTAMP, $sha256, $bytes);
