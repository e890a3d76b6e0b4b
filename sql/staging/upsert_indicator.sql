-- Purpose: write one catalogue entry into the indicator table (replacing an older definition).
-- Inputs:  bound values for every column of indicator.
-- Output:  one indicator row.
INSERT OR REPLACE INTO indicator (id, policy_area, title_sv, title_en, unit, higher_is_better, population, source, lag_years, definition, caveats)
VALUES ($id, $policy_area, $title_sv, $title_en, $unit, $higher_is_better, $population, $source, $lag_years, $definition, $caveats);
