-- Purpose: the gap between area types 1 and 5 per indicator, scope and year, and its change since the base year.
--          gap = value in type 1 − value in type 5 (percentage points). disadvantage orients it so that positive
--          means type 1 is worse off: −gap when higher is better, gap when lower is better, NULL when the
--          catalogue names no direction. The base year is $base_year, or the indicator's first later year with
--          values by type (2020 for employment, per RegSO from BAS); gap_change = gap − gap in the base year. narrowed: the
--          disadvantage is smaller than in the base year (for indicators without a direction: |gap| is smaller).
--          status: 'ok' / 'noise', or why there is no gap: 'no_type1' / 'no_type5' (no RegSO of that type in the
--          scope), 'suppressed', 'missing'. change_status: 'base_year', 'ok', 'before_base', 'no_gap' (no gap this
--          year), 'no_base' (no gap in the base year).
-- Inputs:  indicator_by_area_type; indicator; $base_year.
-- Output:  area_type_gap rows, one per (indicator, scope, year) in indicator_by_area_type.
INSERT INTO area_type_gap
WITH pair AS (
  SELECT indicator_id, scope_level, scope_code, year,
         max(value) FILTER (WHERE area_type = 1) AS v_high,
         max(status) FILTER (WHERE area_type = 1) AS s_high,
         max(value) FILTER (WHERE area_type = 5) AS v_low,
         max(status) FILTER (WHERE area_type = 5) AS s_low
  FROM indicator_by_area_type
  GROUP BY ALL
), g AS (
  SELECT p.*, i.higher_is_better AS hib, v_high - v_low AS gap
  FROM pair p JOIN indicator i ON i.id = p.indicator_id
), base AS (
  SELECT indicator_id, min(year) AS base_year
  FROM indicator_by_area_type
  WHERE year >= $base_year
  GROUP BY indicator_id
), joined AS (
  SELECT g.*, b.base_year, gb.gap AS gap_base,
         CASE WHEN g.hib THEN -g.gap WHEN NOT g.hib THEN g.gap END AS disadvantage,
         CASE WHEN g.hib THEN -gb.gap WHEN NOT g.hib THEN gb.gap END AS disadvantage_base
  FROM g
  LEFT JOIN base b ON b.indicator_id = g.indicator_id
  LEFT JOIN g gb ON gb.indicator_id = g.indicator_id AND gb.scope_level = g.scope_level
                AND gb.scope_code = g.scope_code AND gb.year = b.base_year
)
SELECT indicator_id, scope_level, scope_code, year, v_high, v_low, gap, disadvantage,
       base_year, gap_base,
       CASE WHEN year >= base_year THEN gap - gap_base END,
       CASE WHEN year <= base_year OR gap IS NULL OR gap_base IS NULL THEN NULL
            WHEN hib IS NULL THEN abs(gap) < abs(gap_base)
            ELSE disadvantage < disadvantage_base END,
       CASE WHEN gap IS NOT NULL THEN (CASE WHEN s_high = 'noise' OR s_low = 'noise' THEN 'noise' ELSE 'ok' END)
            WHEN s_high = 'no_areas' THEN 'no_type1'
            WHEN s_low = 'no_areas' THEN 'no_type5'
            WHEN s_high = 'suppressed' OR s_low = 'suppressed' THEN 'suppressed'
            ELSE 'missing' END,
       CASE WHEN base_year IS NULL OR year < base_year THEN 'before_base'
            WHEN gap IS NULL THEN 'no_gap'
            WHEN year = base_year THEN 'base_year'
            WHEN gap_base IS NULL THEN 'no_base'
            ELSE 'ok' END
FROM joined;
