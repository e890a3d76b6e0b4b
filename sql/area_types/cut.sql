-- Purpose: the second half of THE area-type cut rule (SOURCES.md §4.1, data/area-types.json); the area-types stage
--          and the area-types command both classify through group_stats.sql and this file and nowhere else. Each
--          row's index is (V1 + V2 + V3) / 3 unless the input gives it directly; type 1 if index ≥ cut_type1, 2 if
--          ≥ cut_type2, 3 if ≥ cut_type3, 4 if ≥ cut_type4, else 5, with its grp's cuts from group_stats.sql.
--          A row without an index (a component missing) gets no type: 'missing_component'. A grp whose SD is not
--          positive (fewer than two rows, or all equal) cannot be cut: 'no_spread', no type.
-- Inputs:  temporary table area_type_input (as group_stats.sql; any further columns are carried through) and
--          area_type_group (group_stats.sql, run on the same input just before).
-- Output:  temporary table area_type_result: every input row with its columns, plus idx, n_areas, mean, sd,
--          sd_kind, cut_type1–cut_type4 (the lower bounds of types 1–4), z_score, area_type and status; and the
--          temporary macros area_type_index(index_value, v1, v2, v3) and area_type_of(idx, sd, cut_type1, …,
--          cut_type4), the rule row by row, for a caller that must keep its rows' order (a join does not): the
--          area-types command writes each row's type from its input table with the cuts looked up by grp.
CREATE OR REPLACE TEMP MACRO area_type_index(index_value, v1, v2, v3) AS coalesce(index_value, (v1 + v2 + v3) / 3);
CREATE OR REPLACE TEMP MACRO area_type_of(idx, sd, cut_type1, cut_type2, cut_type3, cut_type4) AS
  CASE WHEN idx IS NULL OR NOT coalesce(sd > 0, false) THEN NULL
       WHEN idx >= cut_type1 THEN 1
       WHEN idx >= cut_type2 THEN 2
       WHEN idx >= cut_type3 THEN 3
       WHEN idx >= cut_type4 THEN 4
       ELSE 5 END::INTEGER;
CREATE OR REPLACE TEMP TABLE area_type_result AS
WITH indexed AS NOT MATERIALIZED (
  SELECT *, area_type_index(index_value, v1, v2, v3) AS idx
  FROM area_type_input
)
SELECT i.*, c.n_areas, c.mean, c.sd, c.sd_kind, c.cut_type1, c.cut_type2, c.cut_type3, c.cut_type4,
       CASE WHEN i.idx IS NOT NULL AND c.sd > 0 THEN (i.idx - c.mean) / c.sd END AS z_score,
       area_type_of(i.idx, c.sd, c.cut_type1, c.cut_type2, c.cut_type3, c.cut_type4) AS area_type,
       CASE WHEN i.idx IS NULL THEN 'missing_component'
            WHEN NOT coalesce(c.sd > 0, false) THEN 'no_spread'
            ELSE 'ok' END AS status
FROM indexed i JOIN area_type_group c ON c.grp = i.grp;
