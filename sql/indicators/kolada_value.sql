-- Purpose: an indicator Kolada publishes as a ready value (rate or percent) per kommun, region and riket.
-- Inputs:  observation rows of source 'Kolada'; $indicator_id, $source_label, $kpi, $scale (e.g. 0.01 turns
--          "per 100 000" into "per 1 000"), $levels (VARCHAR[]: the area levels this method serves).
-- Output:  indicator_value rows; no numerator or denominator, because Kolada does not publish them.
INSERT INTO indicator_value
SELECT $indicator_id, area_code, area_version, year,
       value * $scale,
       NULL, NULL,
       CASE WHEN value IS NULL THEN coalesce(nullif(status, ''), '..') ELSE 'ok' END,
       $source_label
FROM observation
WHERE source = 'Kolada' AND table_id = $kpi AND measure = $kpi AND breakdown = 'gender=T'
  AND list_contains($levels, area_level(area_version));
