-- Purpose: the national cut of the area types per year up to the report year (mean and SD of the index over
--          all RegSO, and how many RegSO got each type), for the explanation at the head of the chapter.
-- Inputs:  area_type_cut; $year.
-- Output:  year, area_version, n_areas, n_unclassified, mean, sd, n_type1 … n_type5, status — ordered by year.
SELECT year, area_version, n_areas, n_unclassified, mean, sd, n_type1, n_type2, n_type3, n_type4, n_type5, status
FROM area_type_cut
WHERE year <= $year
ORDER BY year, area_version;
