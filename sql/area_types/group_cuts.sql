-- Purpose: per grp of a classification (after cut.sql), in order of first appearance: rows, areas with an index,
--          mean, SD, the lower bounds of types 1–4 and the number of areas of each type 1–5. The summary the
--          area-types command prints and classifyAreaTypes returns.
-- Inputs:  table area_type_result (cut.sql)
-- Output:  grp, n_rows, n_areas, mean, sd, c1..c4, n1..n5, first (DOUBLE, the grp's first row)
SELECT grp, count(*)::INTEGER AS n_rows, any_value(n_areas)::INTEGER AS n_areas, any_value(mean) AS mean, any_value(sd) AS sd,
       any_value(cut_type1) AS c1, any_value(cut_type2) AS c2, any_value(cut_type3) AS c3, any_value(cut_type4) AS c4,
       count(*) FILTER (WHERE area_type = 1)::INTEGER AS n1, count(*) FILTER (WHERE area_type = 2)::INTEGER AS n2,
       count(*) FILTER (WHERE area_type = 3)::INTEGER AS n3, count(*) FILTER (WHERE area_type = 4)::INTEGER AS n4,
       count(*) FILTER (WHERE area_type = 5)::INTEGER AS n5, min(ord)::DOUBLE AS first
FROM area_type_result GROUP BY grp ORDER BY first
