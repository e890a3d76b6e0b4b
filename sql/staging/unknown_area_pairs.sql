-- Purpose: how many of the distinct (area_code, area_version) pairs a table's responses brought are in no area
--          register: the ingest's quick test before unknown_areas.sql, which scans the table's rows to name them.
--          The pairs are each response's region codes, so a table whose every pair is known has no unknown row.
-- Inputs:  area; $codes, $versions (VARCHAR[], the same length: pair i is ($codes[i], $versions[i])).
-- Output:  one row: n_unknown.
SELECT count(*)::INTEGER AS n_unknown
FROM (SELECT unnest($codes::VARCHAR[]) AS code, unnest($versions::VARCHAR[]) AS version) p
WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.code = p.code AND a.version = p.version);
