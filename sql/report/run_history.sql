-- Purpose: the latest runs and their stages for `segfollow status --history`, newest run first, stages in the
--          order they ran; the files a report stage wrote (its row_counts) when the run was published.
-- Inputs:  run, stage_run; $limit (the number of runs).
-- Output:  one row per run and stage (stage NULL for a run that recorded none): run_id, started_at, finished_at,
--          seconds (NULL while a run has no end), command, args (JSON text), report_year, outcome, stage,
--          stage_started_at, stage_finished_at, stage_seconds, stage_outcome, stage_message, files (JSON text of
--          the names a successful report stage of a successful run wrote, else NULL), unchanged (on the ingest
--          stage's row: the number of tables and KPIs it did not fetch because their release had not changed),
--          keys_unchanged (on the areas stage's row: the area key files the server answered 304 Not Modified).
WITH runs AS (
  SELECT * FROM run ORDER BY started_at DESC, run_id DESC LIMIT $limit
)
SELECT r.run_id, r.started_at, r.finished_at,
       date_diff('millisecond', r.started_at, r.finished_at) / 1000.0 AS seconds,
       r.command, r.args, r.report_year, r.outcome,
       s.stage, s.started_at AS stage_started_at, s.finished_at AS stage_finished_at,
       date_diff('millisecond', s.started_at, s.finished_at) / 1000.0 AS stage_seconds,
       s.outcome AS stage_outcome, s.message AS stage_message,
       CASE WHEN s.stage = 'report' AND s.outcome = 'ok' AND r.outcome = 'ok'
            THEN to_json(coalesce(json_extract_string(s.row_counts, '$.files[*].name'), []::VARCHAR[]))::VARCHAR END AS files,
       CASE WHEN s.stage = 'ingest' THEN json_array_length(json_extract(s.row_counts, '$.unchanged'))::INTEGER END AS unchanged,
       CASE WHEN s.stage = 'areas' THEN json_array_length(json_extract(s.row_counts, '$.unchanged'))::INTEGER END AS keys_unchanged
FROM runs r LEFT JOIN stage_run s USING (run_id)
ORDER BY r.started_at DESC, r.run_id DESC, s.started_at, s.stage;
