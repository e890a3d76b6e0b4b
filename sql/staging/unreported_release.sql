-- Purpose: --when-new: whether a table or KPI was fetched after the last published report for the year finished
--          (an earlier run fetched it and then failed, so it was never reported).
-- Inputs:  source_release, run, stage_run; $year.
-- Output:  one row: unreported (BOOLEAN).
SELECT coalesce(
         (SELECT max(fetched_at) FROM source_release) >
         (SELECT max(r.finished_at) FROM run r JOIN stage_run s USING (run_id)
          WHERE s.stage = 'report' AND s.outcome = 'ok' AND r.outcome = 'ok' AND r.report_year = $year),
         true) AS unreported;
