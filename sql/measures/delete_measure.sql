-- Purpose: clear one measure for one group split before it is recomputed (idempotent rebuild).
-- Inputs:  $measure, $groups.
-- Output:  segregation_index without those rows.
DELETE FROM segregation_index WHERE measure = $measure AND groups = $groups;
