-- Purpose: create the warehouse tables of DESIGN.md §3 if they are missing (idempotent).
-- Inputs:  none.
-- Output:  empty tables; existing data is never touched.
CREATE TABLE IF NOT EXISTS area (
  code        VARCHAR NOT NULL,
  level       VARCHAR NOT NULL CHECK (level IN ('riket', 'lan', 'kommun', 'regso', 'deso')),
  version     VARCHAR NOT NULL,
  name        VARCHAR NOT NULL,
  kommun_code VARCHAR,
  lan_code    VARCHAR,
  regso_code  VARCHAR,
  PRIMARY KEY (code, version)
);
CREATE TABLE IF NOT EXISTS area_crosswalk (
  from_code    VARCHAR NOT NULL,
  from_version VARCHAR NOT NULL,
  to_code      VARCHAR NOT NULL,
  to_version   VARCHAR NOT NULL,
  weight       DOUBLE  NOT NULL CHECK (weight >= 0 AND weight <= 1),
  PRIMARY KEY (from_code, from_version, to_code, to_version)
);
CREATE TABLE IF NOT EXISTS source_fetch (
  fetch_id   VARCHAR PRIMARY KEY,
  run_id     VARCHAR NOT NULL,
  source     VARCHAR NOT NULL,
  table_id   VARCHAR NOT NULL,
  method     VARCHAR NOT NULL,
  request    VARCHAR,
  url        VARCHAR NOT NULL,
  http_status INTEGER NOT NULL,
  fetched_at TIMESTAMP NOT NULL,
  sha256     VARCHAR NOT NULL,
  bytes      BIGINT  NOT NULL
);
-- The response's validators (ETag, Last-Modified) where the server sent them: the areas stage asks for a key file
-- again with If-None-Match / If-Modified-Since and, on 304, reads this fetch's body from the cache. Added to older
-- warehouses (idempotent).
ALTER TABLE source_fetch ADD COLUMN IF NOT EXISTS etag VARCHAR;
ALTER TABLE source_fetch ADD COLUMN IF NOT EXISTS last_modified VARCHAR;
CREATE TABLE IF NOT EXISTS observation (
  fetch_id     VARCHAR NOT NULL,
  source       VARCHAR NOT NULL,
  table_id     VARCHAR NOT NULL,
  measure      VARCHAR NOT NULL,
  area_code    VARCHAR NOT NULL,
  area_version VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  breakdown    VARCHAR NOT NULL,
  value        DOUBLE,
  status       VARCHAR,
  -- NULL: as the source published it. Otherwise the area version summed into this row by the pipeline
  -- (sql/staging/derive_levels.sql: kommun, län and riket from DeSO where SCB publishes only DeSO/RegSO).
  derived_from VARCHAR
);
-- Warehouses made before derived rows existed get the column (idempotent).
ALTER TABLE observation ADD COLUMN IF NOT EXISTS derived_from VARCHAR;
CREATE TABLE IF NOT EXISTS indicator (
  id               VARCHAR PRIMARY KEY,
  policy_area      VARCHAR NOT NULL,
  title_sv         VARCHAR NOT NULL,
  title_en         VARCHAR NOT NULL,
  unit             VARCHAR NOT NULL,
  higher_is_better BOOLEAN,
  population       VARCHAR NOT NULL,
  source           VARCHAR NOT NULL,
  lag_years        INTEGER NOT NULL,
  definition       VARCHAR NOT NULL,
  caveats          VARCHAR
);
CREATE TABLE IF NOT EXISTS indicator_value (
  indicator_id VARCHAR NOT NULL,
  area_code    VARCHAR NOT NULL,
  area_version VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  value        DOUBLE,
  numerator    DOUBLE,
  denominator  DOUBLE,
  status       VARCHAR NOT NULL,
  source_table VARCHAR NOT NULL
  -- No PRIMARY KEY: DuckDB's index made the rebuild's delete-and-insert of millions of rows take 15 s;
  -- uniqueness is checked by sql/checks/indicator_value_duplicates.sql instead.
);
CREATE TABLE IF NOT EXISTS area_type (
  area_code    VARCHAR NOT NULL,
  area_version VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  index_value  DOUBLE,
  area_type    INTEGER CHECK (area_type BETWEEN 1 AND 5),
  PRIMARY KEY (area_code, area_version, year)
);
CREATE TABLE IF NOT EXISTS segregation_index (
  measure      VARCHAR NOT NULL,
  groups       VARCHAR NOT NULL,
  focal        VARCHAR,
  scope_level  VARCHAR NOT NULL,
  scope_code   VARCHAR NOT NULL,
  unit_level   VARCHAR NOT NULL,
  unit_version VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  value        DOUBLE,
  expected     DOUBLE,
  ci_low       DOUBLE,
  ci_high      DOUBLE,
  n_units      INTEGER NOT NULL,
  total        DOUBLE,
  status       VARCHAR NOT NULL,
  source_table VARCHAR NOT NULL,
  -- The bootstrap (pipelines/measures/inference.ts summarise): bias-corrected estimate (clamped to the index's
  -- range; the estimate published beside ci_low/ci_high), estimated bias, bootstrap se, and the draws used.
  bias_corrected DOUBLE,
  bias           DOUBLE,
  se             DOUBLE,
  draws          INTEGER
);
-- Warehouses made before the bias-aware interval get its columns (idempotent; appended in this order).
ALTER TABLE segregation_index ADD COLUMN IF NOT EXISTS bias_corrected DOUBLE;
ALTER TABLE segregation_index ADD COLUMN IF NOT EXISTS bias DOUBLE;
ALTER TABLE segregation_index ADD COLUMN IF NOT EXISTS se DOUBLE;
ALTER TABLE segregation_index ADD COLUMN IF NOT EXISTS draws INTEGER;
-- Change of each index with an interval from a first year to each later year (sql/measures/segregation_change.sql):
-- span 'comparable' from the first year on the end year's area version and source table (or since_first's start
-- when that version has one year only), 'since_first' from the first year (2017) whatever lies between. One row
-- per end year, so a report for an earlier year reads the change up to its own year.
CREATE TABLE IF NOT EXISTS segregation_index_change (
  measure       VARCHAR NOT NULL,
  groups        VARCHAR NOT NULL,
  focal         VARCHAR,
  scope_level   VARCHAR NOT NULL,
  scope_code    VARCHAR NOT NULL,
  unit_level    VARCHAR NOT NULL,
  span          VARCHAR NOT NULL CHECK (span IN ('comparable', 'since_first')),
  from_year     INTEGER NOT NULL,
  to_year       INTEGER NOT NULL,
  from_version  VARCHAR NOT NULL,
  to_version    VARCHAR NOT NULL,
  from_value    DOUBLE NOT NULL,
  to_value      DOUBLE NOT NULL,
  diff          DOUBLE NOT NULL,
  ci_low        DOUBLE NOT NULL,
  ci_high       DOUBLE NOT NULL,
  verdict       VARCHAR NOT NULL CHECK (verdict IN ('increase', 'decrease', 'none')),
  crosses_break BOOLEAN NOT NULL,
  PRIMARY KEY (measure, groups, scope_level, scope_code, unit_level, span, to_year)
);
-- The DeSO 2018 → 2025 break measured in the last DeSO 2018 year: each index on the native units and on the
-- same people moved onto DeSO 2025 by the crosswalk's population weights (pipelines/stages/segregation.ts).
CREATE TABLE IF NOT EXISTS segregation_bridge (
  measure      VARCHAR NOT NULL,
  groups       VARCHAR NOT NULL,
  focal        VARCHAR,
  scope_level  VARCHAR NOT NULL,
  scope_code   VARCHAR NOT NULL,
  unit_level   VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  from_version VARCHAR NOT NULL,
  to_version   VARCHAR NOT NULL,
  value_from   DOUBLE,
  value_to     DOUBLE,
  n_units_from INTEGER NOT NULL,
  n_units_to   INTEGER NOT NULL,
  status       VARCHAR NOT NULL,
  PRIMARY KEY (measure, groups, scope_level, scope_code, unit_level, year)
);
CREATE TABLE IF NOT EXISTS run (
  run_id      VARCHAR PRIMARY KEY,
  started_at  TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  command     VARCHAR NOT NULL,
  args        VARCHAR NOT NULL,
  report_year INTEGER,
  versions    VARCHAR NOT NULL,
  outcome     VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS stage_run (
  run_id      VARCHAR NOT NULL,
  stage       VARCHAR NOT NULL,
  started_at  TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  outcome     VARCHAR NOT NULL,
  row_counts  VARCHAR,
  message     VARCHAR,
  PRIMARY KEY (run_id, stage)
);
-- Area types (områdestyper, SOURCES.md §4.1; data/area-types.json). area_type above holds the type of every
-- RegSO-year; the tables below hold why a RegSO has no type, what the cuts were, and the aggregates by type.
CREATE TABLE IF NOT EXISTS area_type_detail (
  area_code    VARCHAR NOT NULL,
  area_version VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  v1           DOUBLE,
  v2           DOUBLE,
  v3           DOUBLE,
  index_value  DOUBLE,
  z_score      DOUBLE,
  area_type    INTEGER CHECK (area_type BETWEEN 1 AND 5),
  status       VARCHAR NOT NULL,
  missing      VARCHAR,
  PRIMARY KEY (area_code, area_version, year)
);
CREATE TABLE IF NOT EXISTS area_type_cut (
  year           INTEGER NOT NULL,
  area_version   VARCHAR NOT NULL,
  n_areas        INTEGER NOT NULL,
  n_unclassified INTEGER NOT NULL,
  mean           DOUBLE,
  sd             DOUBLE,
  sd_kind        VARCHAR NOT NULL,
  cut_type1      DOUBLE,
  cut_type2      DOUBLE,
  cut_type3      DOUBLE,
  cut_type4      DOUBLE,
  n_type1        INTEGER NOT NULL,
  n_type2        INTEGER NOT NULL,
  n_type3        INTEGER NOT NULL,
  n_type4        INTEGER NOT NULL,
  n_type5        INTEGER NOT NULL,
  status         VARCHAR NOT NULL,
  PRIMARY KEY (year, area_version)
);
CREATE TABLE IF NOT EXISTS area_type_population (
  scope_level          VARCHAR NOT NULL,
  scope_code           VARCHAR NOT NULL,
  year                 INTEGER NOT NULL,
  area_type            INTEGER CHECK (area_type BETWEEN 1 AND 5),
  n_areas              INTEGER NOT NULL,
  n_missing_population INTEGER NOT NULL,
  population           DOUBLE,
  share                DOUBLE,
  status               VARCHAR NOT NULL,
  source_table         VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS indicator_by_area_type (
  indicator_id VARCHAR NOT NULL,
  scope_level  VARCHAR NOT NULL,
  scope_code   VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  area_type    INTEGER NOT NULL CHECK (area_type BETWEEN 1 AND 5),
  value        DOUBLE,
  numerator    DOUBLE,
  denominator  DOUBLE,
  n_areas      INTEGER NOT NULL,
  n_missing    INTEGER NOT NULL,
  status       VARCHAR NOT NULL,
  PRIMARY KEY (indicator_id, scope_level, scope_code, year, area_type)
);
-- The comparison of each scope's most disadvantaged areas with the others (sql/area_types/gap.sql): comparison is
-- 'type1_vs_type5', 'lowest_vs_rest', 'single_type' or 'no_types'; the focus group is types 1–focus_upto, the
-- reference group types reference_from–5; comparison_year is the year whose types chose it.
CREATE TABLE IF NOT EXISTS area_type_gap (
  indicator_id    VARCHAR NOT NULL,
  scope_level     VARCHAR NOT NULL,
  scope_code      VARCHAR NOT NULL,
  year            INTEGER NOT NULL,
  comparison      VARCHAR,
  comparison_year INTEGER,
  focus_upto      INTEGER,
  reference_from  INTEGER,
  value_focus     DOUBLE,
  value_reference DOUBLE,
  den_focus       DOUBLE,
  den_reference   DOUBLE,
  gap             DOUBLE,
  disadvantage    DOUBLE,
  se_gap          DOUBLE,
  base_year       INTEGER,
  gap_base        DOUBLE,
  gap_change      DOUBLE,
  se_change       DOUBLE,
  materiality     DOUBLE,
  narrowed        BOOLEAN,
  change_verdict  VARCHAR,
  status          VARCHAR NOT NULL,
  change_status   VARCHAR NOT NULL,
  PRIMARY KEY (indicator_id, scope_level, scope_code, year)
);
-- Warehouses made before the comparison existed (type 1 vs type 5 only) get its columns; the table is rebuilt whole
-- by every build, so the old type 1 / type 5 columns go (idempotent).
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS comparison VARCHAR;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS comparison_year INTEGER;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS focus_upto INTEGER;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS reference_from INTEGER;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS value_focus DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS value_reference DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS den_focus DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS den_reference DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS se_gap DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS se_change DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS materiality DOUBLE;
ALTER TABLE area_type_gap ADD COLUMN IF NOT EXISTS change_verdict VARCHAR;
ALTER TABLE area_type_gap DROP COLUMN IF EXISTS value_type1;
ALTER TABLE area_type_gap DROP COLUMN IF EXISTS value_type5;
-- What each source said about its release when the ingest last fetched it (pipelines/stages/freshness.ts): SCB's
-- table `updated` (GET /tables/{id}) or Kolada's KPI publication_date/publ_period, and a hash of what was asked
-- (catalogue entry, origin, years, areas). A later run re-fetches a table only when one of them has changed.
CREATE TABLE IF NOT EXISTS source_release (
  source        VARCHAR NOT NULL,
  table_id      VARCHAR NOT NULL,
  released      VARCHAR NOT NULL,
  latest_period INTEGER,
  request_key   VARCHAR NOT NULL,
  origin        VARCHAR NOT NULL,
  run_id        VARCHAR NOT NULL,
  fetched_at    TIMESTAMP NOT NULL,
  PRIMARY KEY (source, table_id)
);
-- The settings the last build applied, read by the report (it prints the threshold the build used, not the one
-- in force when the report is written) and by a later build (a demo warehouse stays a demo).
CREATE TABLE IF NOT EXISTS build_setting (
  run_id               VARCHAR NOT NULL,
  built_at             TIMESTAMP NOT NULL,
  disclosure_threshold INTEGER NOT NULL,
  bootstrap_draws      INTEGER NOT NULL,
  demo                 BOOLEAN NOT NULL
);
-- Outlines of DeSO and RegSO for the kommun reports' maps: SCB's WFS (simplified on ingest) or, in the demo, the
-- emulator's synthetic polygons. GeoJSON Polygon/MultiPolygon text in WGS84; `source` names the layer.
CREATE TABLE IF NOT EXISTS area_geometry (
  code        VARCHAR NOT NULL,
  version     VARCHAR NOT NULL,
  kommun_code VARCHAR NOT NULL,
  geometry    VARCHAR NOT NULL,
  source      VARCHAR NOT NULL,
  fetch_id    VARCHAR NOT NULL,
  PRIMARY KEY (code, version)
);
-- Kolada's municipality groups (e.g. "Liknande kommuner, övergripande, Höör, 2025"), one row per member.
CREATE TABLE IF NOT EXISTS municipality_group (
  group_id     VARCHAR NOT NULL,
  title        VARCHAR NOT NULL,
  member_code  VARCHAR NOT NULL,
  member_title VARCHAR,
  fetch_id     VARCHAR NOT NULL,
  PRIMARY KEY (group_id, member_code)
);
-- The level of an area version (DESIGN.md §2), for SQL that restricts a method to some levels.
CREATE OR REPLACE MACRO area_level(v) AS
  CASE WHEN v = 'riket' THEN 'riket' WHEN v LIKE 'lan%' THEN 'lan' WHEN v LIKE 'kommun%' THEN 'kommun'
       WHEN v LIKE 'RegSO%' THEN 'regso' WHEN v LIKE 'DeSO%' THEN 'deso' END;
