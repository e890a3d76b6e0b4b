-- Purpose: how the observations now in the warehouse were fetched (to mark reports on demo data even when the
--          report stage runs on its own).
-- Inputs:  run.
-- Output:  the args of the latest successful run that ingested, or no row.
SELECT args FROM run WHERE command IN ('run', 'ingest') AND outcome = 'ok' ORDER BY run_id DESC LIMIT 1;
