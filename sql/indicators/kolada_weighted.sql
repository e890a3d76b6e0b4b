-- Purpose: a rate Kolada publishes per kommun only (a kommun KPI such as reported crime, N07540) for län and riket:
--          the kommuner's rates weighted by their inhabitants (another KPI, N01951), Σ rate × inhabitants /
--          Σ inhabitants — the rate over all the kommuner's inhabitants, up to the rounding of the published rates.
--          The kommuner are those Kolada publishes the KPI for in any year (a kommun's län is the first two digits
--          of its code). Each of them must have both values in the year; otherwise the län (riket) value is NULL
--          with status '..' (never a rate over part of the län). The source label says it is weighted from kommuner.
-- Inputs:  observation (Kolada); $indicator_id, $source_label, $kpi, $weight_kpi, $scale, $levels (VARCHAR[]:
--          'lan' and/or 'riket').
-- Output:  indicator_value rows for $indicator_id at län and riket, numerator and denominator NULL.
INSERT INTO indicator_value
WITH years AS (
  SELECT DISTINCT year FROM observation WHERE source = 'Kolada' AND table_id = $kpi
), kommuner AS (
  SELECT DISTINCT area_code AS code, substr(area_code, 1, 2) AS lan_code
  FROM observation WHERE source = 'Kolada' AND table_id = $kpi AND area_version = 'kommun2003'
), k AS (
  SELECT m.code, m.lan_code, y.year, r.value AS rate, w.value AS inhabitants
  FROM kommuner m CROSS JOIN years y
  LEFT JOIN observation r ON r.source = 'Kolada' AND r.table_id = $kpi AND r.measure = $kpi AND r.breakdown = 'gender=T'
    AND r.area_code = m.code AND r.year = y.year
  LEFT JOIN observation w ON w.source = 'Kolada' AND w.table_id = $weight_kpi AND w.measure = $weight_kpi AND w.breakdown = 'gender=T'
    AND w.area_code = m.code AND w.year = y.year
), up AS (
  SELECT 'lan' AS level, lan_code AS code, 'lan1998' AS version, year, rate, inhabitants FROM k
  UNION ALL
  SELECT 'riket', '00', 'riket', year, rate, inhabitants FROM k
), agg AS (
  SELECT level, code, version, year,
         -- Exact decimal sums: a floating sum depends on the order threads add rows in, and reruns must agree.
         sum(rate::DECIMAL(18, 6) * inhabitants::DECIMAL(18, 0))::DOUBLE AS weighted,
         sum(inhabitants::DECIMAL(18, 0))::DOUBLE AS inhabitants,
         count(*) FILTER (WHERE rate IS NULL OR inhabitants IS NULL) AS missing
  FROM up
  WHERE list_contains($levels, level)
  GROUP BY level, code, version, year
)
SELECT $indicator_id, code, version, year,
       CASE WHEN missing = 0 AND inhabitants > 0 THEN weighted / inhabitants * $scale END,
       NULL, NULL,
       CASE WHEN missing = 0 AND inhabitants > 0 THEN 'ok' ELSE '..' END,
       $source_label
FROM agg;
