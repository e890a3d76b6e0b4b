-- Purpose: residents per area type in every kommun, län and riket and year: the RegSO populations (SCB TAB6571,
--          both sexes, all backgrounds) summed over the RegSO of each type in the scope. Types 1–5 always have a
--          row (a type with no RegSO has n_areas 0 and population 0); RegSO without a type get a row with
--          area_type NULL when there are any. share is the percent of the residents of every RegSO of the scope
--          with a known population. A RegSO whose population is missing is counted in n_missing_population; the
--          row is then 'partial' (or 'missing' when no RegSO of the row has a population).
--          kommun = the first four digits of the RegSO code, län = the first two.
-- Inputs:  area_type; observation; $table_id, $measure, $breakdown (the population cell).
-- Output:  area_type_population rows for every year with area types.
INSERT INTO area_type_population
WITH typed AS (
  SELECT t.area_code, t.year, t.area_type, o.value AS pop
  FROM area_type t
  LEFT JOIN observation o
    ON o.table_id = $table_id AND o.measure = $measure AND o.breakdown = $breakdown
   AND o.area_code = t.area_code AND o.area_version = t.area_version AND o.year = t.year
), scoped AS (
  SELECT 'riket' AS scope_level, '00' AS scope_code, * FROM typed
  UNION ALL SELECT 'lan', substr(area_code, 1, 2), * FROM typed
  UNION ALL SELECT 'kommun', substr(area_code, 1, 4), * FROM typed
), agg AS (
  SELECT scope_level, scope_code, year, area_type,
         count(*) AS n_areas,
         count(*) FILTER (WHERE pop IS NULL) AS n_missing,
         sum(pop::DECIMAL(38, 9))::DOUBLE AS pop
  FROM scoped
  GROUP BY ALL
), total AS (
  SELECT scope_level, scope_code, year, sum(pop::DECIMAL(38, 9))::DOUBLE AS pop FROM scoped GROUP BY ALL
), grid AS (
  SELECT t.scope_level, t.scope_code, t.year, k.area_type
  FROM total t CROSS JOIN (SELECT unnest([1, 2, 3, 4, 5]) AS area_type) k
  UNION ALL
  SELECT scope_level, scope_code, year, NULL FROM agg WHERE area_type IS NULL
)
SELECT g.scope_level, g.scope_code, g.year, g.area_type,
       coalesce(a.n_areas, 0)::INTEGER,
       coalesce(a.n_missing, 0)::INTEGER,
       CASE WHEN a.n_areas IS NULL THEN 0 ELSE a.pop END,
       CASE WHEN a.n_areas IS NULL THEN 0 ELSE 100.0 * a.pop / nullif(t.pop, 0) END,
       CASE WHEN a.n_areas IS NULL OR a.n_missing = 0 THEN 'ok'
            WHEN a.n_missing = a.n_areas THEN 'missing'
            ELSE 'partial' END,
       $table_id
FROM grid g
JOIN total t USING (scope_level, scope_code, year)
LEFT JOIN agg a ON a.scope_level = g.scope_level AND a.scope_code = g.scope_code AND a.year = g.year
               AND a.area_type IS NOT DISTINCT FROM g.area_type;
