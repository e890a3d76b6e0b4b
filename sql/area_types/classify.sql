-- Purpose: write the area type of every RegSO and year (replacing all earlier ones) from the cut rule's result
--          over the warehouse input: area_type (type and index), area_type_detail (components, z-score and why a
--          RegSO has no type) and area_type_cut (per year and RegSO version: mean, SD, cuts and counts). The
--          caller runs index_input.sql and cut.sql first on the same connection, all in one transaction.
-- Inputs:  temporary table area_type_result (cut.sql over area_type_input from index_input.sql).
-- Output:  area_type, area_type_detail and area_type_cut replaced whole.
DELETE FROM area_type;
INSERT INTO area_type
SELECT unit, area_version, year, idx, area_type FROM area_type_result;
DELETE FROM area_type_detail;
INSERT INTO area_type_detail
SELECT unit, area_version, year, v1, v2, v3, idx, z_score, area_type, status, missing FROM area_type_result;
DELETE FROM area_type_cut;
INSERT INTO area_type_cut
SELECT year, area_version,
       any_value(n_areas)::INTEGER,
       count(*) FILTER (WHERE area_type IS NULL)::INTEGER,
       any_value(mean), any_value(sd), any_value(sd_kind),
       any_value(cut_type1), any_value(cut_type2), any_value(cut_type3), any_value(cut_type4),
       count(*) FILTER (WHERE area_type = 1)::INTEGER,
       count(*) FILTER (WHERE area_type = 2)::INTEGER,
       count(*) FILTER (WHERE area_type = 3)::INTEGER,
       count(*) FILTER (WHERE area_type = 4)::INTEGER,
       count(*) FILTER (WHERE area_type = 5)::INTEGER,
       CASE WHEN any_value(sd) > 0 THEN 'ok' ELSE 'no_spread' END
FROM area_type_result
GROUP BY year, area_version;
