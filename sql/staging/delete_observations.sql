-- Purpose: clear one source table's observations before it is loaded again (idempotent re-ingest).
-- Inputs:  $source, $table_id.
-- Output:  observation without those rows.
DELETE FROM observation WHERE source = $source AND table_id = $table_id;
