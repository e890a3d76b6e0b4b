-- Purpose: per indicator, scope (riket, län, kommun) and year, the gap between the scope's most disadvantaged areas
--          and the others, and its change since the base year with a verdict that respects the counts' uncertainty.
--          Every scope gets an answer. Which comparison is decided once per scope, from the types of its RegSO in
--          the latest year with area types, so that every year of a scope compares the same groups:
--            'type1_vs_type5'  RegSO of type 1 and of type 5 both present: type 1 against type 5 (focus_upto 1,
--                              reference_from 5; types 2–4 take no part);
--            'lowest_vs_rest'  otherwise, at least two types present: the RegSO of the lowest type present, k (or
--                              lower, in a year that had lower ones), against the rest of the scope, types k+1–5
--                              (focus_upto k, reference_from k + 1); e.g. Malmö with types 1–4: type 1 vs 2–5;
--            'single_type'     every typed RegSO of the scope is of one type: nothing to compare;
--            'no_types'        no RegSO of the scope has a type in the latest year.
--          comparison_year is that latest year (a report for an earlier year names it).
--          A group's value is 100 × Σ numerators / Σ denominators over its types' rows in indicator_by_area_type
--          (each already held to the disclosure threshold), never an average of shares. A group with a type
--          'suppressed' is suppressed whole: its published types subtracted from it would give the withheld value.
--          gap = focus − reference (percentage points). disadvantage orients it so that positive means the focus
--          group is worse off: −gap when higher is better, gap when lower is better, NULL without a direction.
--          The base year is $base_year, or the indicator's first later year with values by type (2020 for
--          employment, per RegSO from BAS); gap_change = gap − gap in the base year; narrowed: the disadvantage
--          (|gap| without a direction) is smaller than in the base year — the raw direction, not a finding.
--          Uncertainty from the counts: a group's share p over its denominator n has the binomial standard error
--          √(p(1 − p)/n); se_gap = √(se_focus² + se_reference²), se_change = √(se_gap² + se_gap_base²) (points).
--          change_verdict: 'narrowed' or 'widened' only when the change of the disadvantage (of |gap| without a
--          direction) exceeds both the materiality (the indicator's own threshold in $materiality_ids /
--          $materiality_values, percentage points; otherwise $materiality) and $z · se_change; 'reversed' when that
--          clear change also turned a disadvantage into an advantage or back, both beyond max(materiality, $z · se_gap);
--          'no_change' (no established change) otherwise; NULL when there are not two gaps to compare. materiality
--          holds the threshold used.
--          status: 'ok' / 'noise', or why there is no gap: 'no_focus' / 'no_reference' (no RegSO of the group's
--          types that year), 'suppressed', 'missing', 'single_type', 'no_types'. change_status: 'base_year', 'ok',
--          'before_base', 'no_gap' (no gap this year), 'no_base' (no gap in the base year).
-- Inputs:  indicator_by_area_type; area_type; indicator; $base_year, $materiality (percentage points), $z,
--          $materiality_ids and $materiality_values (per-indicator thresholds: comma-separated ids and numbers in the same
--          order, both '' for none).
-- Output:  area_type_gap rows, one per (indicator, scope, year) in indicator_by_area_type.
INSERT INTO area_type_gap (indicator_id, scope_level, scope_code, year, comparison, comparison_year, focus_upto, reference_from,
                           value_focus, value_reference, den_focus, den_reference, gap, disadvantage, se_gap,
                           base_year, gap_base, gap_change, se_change, materiality, narrowed, change_verdict, status, change_status)
WITH latest AS (
  SELECT max(year) AS year FROM area_type WHERE area_type IS NOT NULL
), typed AS (
  SELECT t.area_code, t.area_type FROM area_type t JOIN latest l ON t.year = l.year WHERE t.area_type IS NOT NULL
), present AS (
  SELECT scope_level, scope_code, min(area_type) AS lowest, max(area_type) AS highest,
         bool_or(area_type = 1) AS has1, bool_or(area_type = 5) AS has5
  FROM (SELECT 'riket' AS scope_level, '00' AS scope_code, area_type FROM typed
        UNION ALL SELECT 'lan', substr(area_code, 1, 2), area_type FROM typed
        UNION ALL SELECT 'kommun', substr(area_code, 1, 4), area_type FROM typed)
  GROUP BY ALL
), choice AS (
  SELECT scope_level, scope_code, (SELECT year FROM latest) AS comparison_year,
         CASE WHEN has1 AND has5 THEN 'type1_vs_type5'
              WHEN lowest < highest THEN 'lowest_vs_rest'
              ELSE 'single_type' END AS comparison,
         CASE WHEN has1 AND has5 THEN 1 WHEN lowest < highest THEN lowest END AS focus_upto,
         CASE WHEN has1 AND has5 THEN 5 WHEN lowest < highest THEN lowest + 1 END AS reference_from
  FROM present
), rows AS (
  SELECT b.*, coalesce(c.comparison, 'no_types') AS comparison, (SELECT year FROM latest) AS comparison_year, c.focus_upto, c.reference_from,
         CASE WHEN b.area_type <= c.focus_upto THEN 'focus' WHEN b.area_type >= c.reference_from THEN 'reference' END AS grp
  FROM indicator_by_area_type b
  LEFT JOIN choice c ON c.scope_level = b.scope_level AND c.scope_code = b.scope_code
), grouped AS (
  SELECT indicator_id, scope_level, scope_code, year, comparison, comparison_year, focus_upto, reference_from, grp,
         bool_and(status = 'no_areas') AS no_areas,
         bool_or(status = 'suppressed') AS suppressed,
         bool_or(status = 'noise') AS noisy,
         fsum(numerator ORDER BY area_type) FILTER (WHERE status IN ('ok', 'noise')) AS num,
         fsum(denominator ORDER BY area_type) FILTER (WHERE status IN ('ok', 'noise')) AS den
  FROM rows
  GROUP BY ALL
), judged AS (
  SELECT *,
         CASE WHEN grp IS NULL THEN NULL
              WHEN no_areas THEN 'no_areas'
              WHEN suppressed THEN 'suppressed'
              WHEN den IS NULL OR den = 0 THEN 'missing'
              WHEN noisy THEN 'noise'
              ELSE 'ok' END AS g_status,
         CASE WHEN NOT suppressed AND den > 0 THEN num / den END AS p,
         CASE WHEN NOT suppressed AND den > 0 THEN 100.0 * num / den END AS v
  FROM grouped
), pair AS (
  SELECT k.indicator_id, k.scope_level, k.scope_code, k.year,
         any_value(k.comparison) AS comparison, any_value(k.comparison_year) AS comparison_year, any_value(k.focus_upto) AS focus_upto, any_value(k.reference_from) AS reference_from,
         max(v) FILTER (WHERE grp = 'focus') AS v_focus,
         max(v) FILTER (WHERE grp = 'reference') AS v_ref,
         max(den) FILTER (WHERE grp = 'focus' AND p IS NOT NULL) AS n_focus,
         max(den) FILTER (WHERE grp = 'reference' AND p IS NOT NULL) AS n_ref,
         -- greatest(…, 0): cell-key noise can put a numerator above its denominator.
         max(100 * sqrt(greatest(p * (1 - p), 0) / den)) FILTER (WHERE grp = 'focus') AS se_focus,
         max(100 * sqrt(greatest(p * (1 - p), 0) / den)) FILTER (WHERE grp = 'reference') AS se_ref,
         coalesce(max(g_status) FILTER (WHERE grp = 'focus'), 'no_areas') AS s_focus,
         coalesce(max(g_status) FILTER (WHERE grp = 'reference'), 'no_areas') AS s_ref
  FROM judged k
  GROUP BY ALL
), g AS (
  SELECT p.*, i.higher_is_better AS hib, v_focus - v_ref AS gap, sqrt(se_focus * se_focus + se_ref * se_ref) AS se_gap,
         coalesce(string_split($materiality_values, ',')[list_position(string_split($materiality_ids, ','), p.indicator_id)]::DOUBLE, $materiality) AS mat
  FROM pair p JOIN indicator i ON i.id = p.indicator_id
), base AS (
  SELECT indicator_id, min(year) AS base_year
  FROM indicator_by_area_type
  WHERE year >= $base_year
  GROUP BY indicator_id
), joined AS (
  SELECT g.*, b.base_year, gb.gap AS gap_base, gb.se_gap AS se_gap_base,
         CASE WHEN g.hib THEN -g.gap WHEN NOT g.hib THEN g.gap END AS disadvantage,
         CASE WHEN g.hib THEN -gb.gap WHEN NOT g.hib THEN gb.gap END AS disadvantage_base
  FROM g
  LEFT JOIN base b ON b.indicator_id = g.indicator_id
  LEFT JOIN g gb ON gb.indicator_id = g.indicator_id AND gb.scope_level = g.scope_level
                AND gb.scope_code = g.scope_code AND gb.year = b.base_year
), moved AS (
  SELECT *,
         CASE WHEN year <= base_year OR gap IS NULL OR gap_base IS NULL THEN NULL
              ELSE sqrt(se_gap * se_gap + se_gap_base * se_gap_base) END AS se_change,
         CASE WHEN year <= base_year OR gap IS NULL OR gap_base IS NULL THEN NULL
              WHEN hib IS NULL THEN abs(gap) - abs(gap_base)
              ELSE disadvantage - disadvantage_base END AS d_change
  FROM joined
)
SELECT indicator_id, scope_level, scope_code, year, comparison, comparison_year, focus_upto, reference_from,
       v_focus, v_ref, n_focus, n_ref, gap, disadvantage, se_gap,
       base_year, gap_base,
       CASE WHEN year >= base_year THEN gap - gap_base END,
       se_change, mat,
       CASE WHEN d_change IS NULL THEN NULL ELSE d_change < 0 END,
       CASE WHEN d_change IS NULL THEN NULL
            WHEN abs(d_change) <= mat OR abs(d_change) <= $z * se_change THEN 'no_change'
            WHEN hib IS NOT NULL
             AND sign(disadvantage) <> sign(disadvantage_base)
             AND abs(disadvantage) > greatest(mat, $z * se_gap)
             AND abs(disadvantage_base) > greatest(mat, $z * se_gap_base) THEN 'reversed'
            WHEN d_change < 0 THEN 'narrowed'
            ELSE 'widened' END,
       CASE WHEN comparison IN ('single_type', 'no_types') THEN comparison
            WHEN gap IS NOT NULL THEN (CASE WHEN s_focus = 'noise' OR s_ref = 'noise' THEN 'noise' ELSE 'ok' END)
            WHEN s_focus = 'no_areas' THEN 'no_focus'
            WHEN s_ref = 'no_areas' THEN 'no_reference'
            WHEN s_focus = 'suppressed' OR s_ref = 'suppressed' THEN 'suppressed'
            ELSE 'missing' END,
       CASE WHEN base_year IS NULL OR year < base_year THEN 'before_base'
            WHEN gap IS NULL THEN 'no_gap'
            WHEN year = base_year THEN 'base_year'
            WHEN gap_base IS NULL THEN 'no_base'
            ELSE 'ok' END
FROM moved;
