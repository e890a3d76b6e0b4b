-- Purpose: the reference data the reports used (data/sources.json `reference`): the latest fetch of each WFS layer
--          and of Kolada's municipality groups, for the sources page.
-- Inputs:  source_fetch, area_geometry, municipality_group.
-- Output:  source, table_id, url, fetched_at, sha256 — one row per table (its first response of the latest fetch).
SELECT f.source, f.table_id, arg_min(f.url, f.fetch_id) AS url, min(f.fetched_at) AS fetched_at, arg_min(f.sha256, f.fetch_id) AS sha256
FROM source_fetch f
WHERE f.fetch_id IN (SELECT DISTINCT fetch_id FROM area_geometry UNION SELECT DISTINCT fetch_id FROM municipality_group)
GROUP BY f.source, f.table_id
ORDER BY f.source DESC, f.table_id;
