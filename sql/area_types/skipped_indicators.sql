-- Purpose: the catalogue indicators that have no values by area type, and why (read after indicator_by_type.sql,
--          so the list is exactly what that file left out).
-- Inputs:  indicator; indicator_value; indicator_by_area_type.
-- Output:  rows (indicator_id, reason), ordered by indicator_id.
SELECT i.id AS indicator_id,
       CASE WHEN NOT EXISTS (SELECT 1 FROM indicator_value v WHERE v.indicator_id = i.id AND starts_with(v.area_version, 'RegSO'))
              THEN 'no values at RegSO level'
            WHEN NOT EXISTS (SELECT 1 FROM indicator_value v WHERE v.indicator_id = i.id AND starts_with(v.area_version, 'RegSO')
                               AND v.numerator IS NOT NULL AND v.denominator IS NOT NULL)
              THEN 'no numerator and denominator at RegSO level'
            WHEN i.unit <> 'procent' THEN 'unit is not procent'
            ELSE 'no year with area types' END AS reason
FROM indicator i
WHERE NOT EXISTS (SELECT 1 FROM indicator_by_area_type b WHERE b.indicator_id = i.id)
ORDER BY 1;
