-- Purpose: whether the warehouse holds demo data, and the draws of its last build (a build without --demo on a
--          demo warehouse then uses the demo's options).
-- Inputs:  source_release (origin 'demo' where the emulator served the fetch), build_setting, run, stage_run.
-- Output:  one row: demo (BOOLEAN), draws (INTEGER or NULL).
SELECT coalesce(
         (SELECT origin = 'demo' FROM source_release ORDER BY fetched_at DESC LIMIT 1),
         (SELECT demo FROM build_setting ORDER BY built_at DESC LIMIT 1),
         (SELECT r.args LIKE '%--demo%' FROM run r JOIN stage_run s USING (run_id)
          WHERE s.stage = 'ingest' AND s.outcome = 'ok' ORDER BY r.started_at DESC LIMIT 1),
         false) AS demo,
       (SELECT bootstrap_draws FROM build_setting ORDER BY built_at DESC LIMIT 1) AS draws;
