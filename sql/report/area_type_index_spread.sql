-- Purpose: the spread of the socio-economic index over the RegSO of one report scope in the first year from
--          $first_year and the latest year up to the report year: how many RegSO have an index, and its minimum,
--          median and maximum, with the national mean and SD of the year for scale. It answers "how different are
--          the kommun's areas" where the type comparison cannot (one type only), and stands beside it elsewhere.
-- Inputs:  area_type, area_type_cut; $scope_level, $scope_code, $first_year, $year.
-- Output:  year, n_regso, n_indexed, min_index, median_index, max_index, national_mean, national_sd — one row
--          per year (first and latest), ordered by year; none when the scope has no typed years.
WITH years AS (
  SELECT min(year) FILTER (WHERE year >= $first_year) AS first_year, max(year) AS latest_year
  FROM area_type
  WHERE year <= $year
), scoped AS (
  SELECT t.year, t.area_version, t.index_value
  FROM area_type t, years y
  WHERE t.year IN (y.first_year, y.latest_year)
    AND CASE $scope_level WHEN 'riket' THEN true
                          WHEN 'lan' THEN substr(t.area_code, 1, 2) = $scope_code
                          ELSE substr(t.area_code, 1, 4) = $scope_code END
)
SELECT s.year,
       count(*)::INTEGER AS n_regso,
       count(s.index_value)::INTEGER AS n_indexed,
       min(s.index_value) AS min_index,
       quantile_cont(s.index_value, 0.5) AS median_index,
       max(s.index_value) AS max_index,
       any_value(c.mean) AS national_mean,
       any_value(c.sd) AS national_sd
FROM scoped s
LEFT JOIN area_type_cut c ON c.year = s.year AND c.area_version = s.area_version
GROUP BY s.year
ORDER BY s.year;
