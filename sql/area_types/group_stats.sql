-- Purpose: the first half of THE area-type cut rule (SOURCES.md §4.1, data/area-types.json), with cut.sql the
--          second: per grp the mean and standard deviation of the index over the rows that have one, each row
--          counting once, and the lower bounds of types 1–4 (mean + c·SD, c = 2, 1, 0, −1 from the catalogue). The
--          index is (V1 + V2 + V3) / 3 unless the input gives it directly. Mean and SD are two-pass with compensated
--          sums (fsum) taken in unit order (one sort per grp, shared by both passes): DuckDB's one-pass stddev_pop
--          gives 1.9999999999999998 for {0, 0, 5, 0, 0} but 2 for {0, 0, 0, 0, 5}, and an unordered sum changes in the
--          last bit with the threads, either of which would let a type on the cut, or a rerun's figures, depend on
--          chance. A row without an index is left out of the mean and SD. Kept apart from cut.sql so that the sort,
--          the costly part, runs once per classification however often its rows are read (the area-types command
--          reads them twice: the summary and the rows).
-- Inputs:  temporary table area_type_input with at least grp, unit VARCHAR, v1, v2, v3, index_value DOUBLE
--          (NULL where not given). $cuts DOUBLE[4] (the SD multiples c1–c4); $sd_kind 'population' (divisor n) or
--          'sample' (divisor n − 1).
-- Output:  temporary table area_type_group: grp, n_areas, mean, sd, sd_kind, cut_type1–cut_type4, one row per grp.
CREATE OR REPLACE TEMP TABLE area_type_group AS
WITH indexed AS NOT MATERIALIZED (
  SELECT *, coalesce(index_value, (v1 + v2 + v3) / 3) AS idx
  FROM area_type_input
), ordered AS (
  -- The indices of a grp in unit order, sorted once: both sums below run over this list, in its order, through
  -- list_aggregate (one fsum state, element by element, as fsum(… ORDER BY unit, idx) would, to the same last bit),
  -- instead of two ordered aggregates each sorting every row again and a join of the rows back to their mean.
  SELECT grp, count(idx) AS n_areas, list(idx ORDER BY unit, idx) FILTER (WHERE idx IS NOT NULL) AS xs
  FROM indexed
  GROUP BY grp
), centre AS (
  SELECT grp, n_areas, xs, list_aggregate(xs, 'fsum') / n_areas AS mean
  FROM ordered
), stats AS (
  SELECT grp, n_areas, mean,
         CASE $sd_kind WHEN 'population' THEN sqrt(list_aggregate(list_transform(xs, lambda x: (x - mean) * (x - mean)), 'fsum') / n_areas)
                       WHEN 'sample' THEN CASE WHEN n_areas > 1 THEN sqrt(list_aggregate(list_transform(xs, lambda x: (x - mean) * (x - mean)), 'fsum') / (n_areas - 1)) END
              ELSE error('group_stats.sql: $sd_kind must be population or sample, got ' || $sd_kind) END AS sd
  FROM centre
), cuts AS (
  SELECT *,
         $sd_kind::VARCHAR AS sd_kind,
         mean + ($cuts::DOUBLE[])[1] * sd AS cut_type1,
         mean + ($cuts::DOUBLE[])[2] * sd AS cut_type2,
         mean + ($cuts::DOUBLE[])[3] * sd AS cut_type3,
         mean + ($cuts::DOUBLE[])[4] * sd AS cut_type4
  FROM stats
)
SELECT grp, n_areas, mean, sd, sd_kind, cut_type1, cut_type2, cut_type3, cut_type4
FROM cuts;
