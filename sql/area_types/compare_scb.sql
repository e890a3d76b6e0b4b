-- Purpose: the pipeline's area types beside the types SCB publishes in the same table (TAB6586 000008IU), per year:
--          how many RegSO-years both give a type, and how many of those agree. SCB's rule is applied here from its
--          note (per-year mean and SD); details SCB does not publish (weighting, rounding of the index) can move an
--          area that lies on a cut, so disagreement is reported, not an error.
-- Inputs:  area_type, observation; $table_id, $type_measure.
-- Output:  year, n_both, n_agree (INTEGER), ordered by year; no row for a year where either has no types.
SELECT t.year,
       count(*)::INTEGER AS n_both,
       count(*) FILTER (WHERE t.area_type = o.value)::INTEGER AS n_agree
FROM area_type t
JOIN observation o
  ON o.table_id = $table_id AND o.measure = $type_measure
 AND o.area_code = t.area_code AND o.area_version = t.area_version AND o.year = t.year
WHERE t.area_type IS NOT NULL AND o.value IS NOT NULL
GROUP BY t.year
ORDER BY t.year;
