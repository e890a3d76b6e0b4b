-- Purpose: the latest year each indicator has a value for, per source (release watch and the stale-data check).
-- Inputs:  indicator_value.
-- Output:  indicator_id, source_table, latest_year — one row per indicator and source label with any value.
SELECT indicator_id, source_table, max(year)::INTEGER AS latest_year
FROM indicator_value
WHERE value IS NOT NULL
GROUP BY indicator_id, source_table
ORDER BY indicator_id, source_table;
