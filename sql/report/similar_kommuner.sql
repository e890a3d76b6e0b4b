-- Purpose: Kolada's groups of similar kommuner ("Liknande kommuner, övergripande, <kommun>, <year>", also the older
--          "Liknande kommuner socioekonomi, <kommun>, <year>") with their members, for every kommun at once.
-- Inputs:  municipality_group, area.
-- Output:  group_id, title, member_code, member_name — by title and member name.
SELECT g.group_id, g.title, g.member_code, coalesce(a.name, g.member_title, g.member_code) AS member_name
FROM municipality_group g
LEFT JOIN area a ON a.code = g.member_code AND a.level = 'kommun'
WHERE g.title LIKE 'Liknande kommuner%'
ORDER BY g.title, member_name COLLATE sv, g.member_code;
