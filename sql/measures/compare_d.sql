-- Purpose: cross-check: the engine's D over DeSO must equal the SQL D (set aside in sql_d) for every scope and year —
--          same status, same n_units and total, values within 1e-9. Two implementations agreeing is the evidence.
--          The SQL D has no row for a scope without a single published unit (a year the source does not hold, e.g. the
--          2016 baseline where it is missing); the engine writes such a scope as 'no_population' with n_units 0, which
--          is the same statement and not a disagreement.
-- Inputs:  segregation_index, temporary table sql_d; $groups.
-- Output:  rows where they disagree (none when sound).
SELECT s.scope_level, s.scope_code, s.year, s.value AS sql_value, e.value AS engine_value, s.status AS sql_status, e.status AS engine_status
FROM sql_d s
FULL JOIN (SELECT * FROM segregation_index WHERE measure = 'D' AND groups = $groups AND unit_level = 'deso') e
  USING (scope_level, scope_code, unit_version, year)
WHERE (s.year IS NULL AND NOT (e.status = 'no_population' AND e.n_units = 0)) OR e.year IS NULL
   OR s.status <> e.status OR s.n_units <> e.n_units OR s.total <> e.total
   OR abs(coalesce(s.value, 0) - coalesce(e.value, 0)) > 1e-9
   OR (s.value IS NULL) <> (e.value IS NULL)
LIMIT 20;
