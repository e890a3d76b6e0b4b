-- Purpose: the riket decomposition of M and H (METHODS.md §5.3) for one split and unit level, every year up to
--          the report year: total = between län + between kommuner within län + within kommuner.
-- Inputs:  segregation_index; $groups, $unit_level, $year.
-- Output:  year, unit_version, measure (M_total, M_between_lan, M_between_kommun_within_lan, M_within_kommun and
--          the same for H), value, status, n_units — ordered by year and measure.
SELECT year, unit_version, measure, value, status, n_units
FROM segregation_index
WHERE scope_level = 'riket' AND scope_code = '00' AND groups = $groups AND unit_level = $unit_level
  AND year <= $year
  AND measure IN ('M_total', 'M_between_lan', 'M_between_kommun_within_lan', 'M_within_kommun',
                  'H_total', 'H_between_lan', 'H_between_kommun_within_lan', 'H_within_kommun')
ORDER BY year, measure;
