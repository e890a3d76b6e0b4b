/**
 * The area keys in the pipeline's own records, and the names of the files they are read from (README "Area keys").
 * Two routes lead to the same records: the project's CSV layout, or SCB's XLSX files as SCB publishes them.
 */

/** One DeSO of one version with its RegSO and kommun (a row of deso-regso.csv). */
export interface DesoRegsoRecord {
  deso_code: string;
  deso_version: string;
  regso_code: string;
  regso_version: string;
  regso_name: string;
  kommun_code: string;
}

/** Share `weight` of the from-area lies in the to-area (a row of deso-crosswalk.csv). */
export interface CrosswalkRecord {
  from_code: string;
  from_version: string;
  to_code: string;
  to_version: string;
  weight: number;
}

export interface AreaKeys {
  regso: DesoRegsoRecord[];
  crosswalk: CrosswalkRecord[];
}

/** A key file as fetched: the name it is known by (its table id in source_fetch) and its bytes. */
export interface KeyFile {
  name: string;
  body: Buffer;
}

/** The project's CSV layout: tried first. */
export const CSV_KEY_FILES = { regso: 'deso-regso.csv', crosswalk: 'deso-crosswalk.csv' } as const;

/**
 * SCB's three XLSX files under the names SCB gives them without the date stamp, tried when deso-regso.csv is
 * missing. SCB's DeSO page links them as e.g. `koppling-deso2018-regso2020_2026-03-25.xlsx` and
 * `deso-historiska-forandringar-2025-09-19.xlsx`; in a local folder such dated names are found too
 * (`findDatedKeyFile`), over HTTP a folder cannot be listed, so there the undated names must be served.
 */
export const XLSX_KEY_FILES = {
  regso2018: 'koppling-deso2018-regso2020.xlsx',
  regso2025: 'koppling-deso2025-regso2025.xlsx',
  changes: 'deso-historiska-forandringar.xlsx',
} as const;

/** Titles for the sources page of the reports, keyed by the table id a key file is recorded under. */
export const AREA_KEY_TITLES: Record<string, string> = {
  [CSV_KEY_FILES.regso]: 'Nyckel DeSO–RegSO (SCB:s kopplingstabell)',
  [CSV_KEY_FILES.crosswalk]: 'DeSO 2018 → DeSO 2025, historiska förändringar (SCB)',
  [XLSX_KEY_FILES.regso2018]: 'Koppling DeSO 2018 – RegSO 2020 (SCB)',
  [XLSX_KEY_FILES.regso2025]: 'Koppling DeSO 2025 – RegSO 2025 (SCB)',
  [XLSX_KEY_FILES.changes]: 'Historiska förändringar i DeSO (SCB)',
};

/**
 * The file in `names` (a folder listing) that holds the key SCB calls `canonical`: the canonical name itself if
 * present, otherwise the last, in name order, of SCB's dated names `<stem>_<date>.xlsx` / `<stem>-<date>.xlsx`
 * (ISO dates sort by time, so that is the newest edition). Case is ignored, as on SCB's own links.
 */
export function findDatedKeyFile(names: readonly string[], canonical: string): string | undefined {
  const exact = names.find((n) => n.toLowerCase() === canonical.toLowerCase());
  if (exact !== undefined) return exact;
  const stem = canonical.replace(/\.xlsx$/i, '').toLowerCase();
  const dated = names.filter((n) => {
    const l = n.toLowerCase();
    return l.startsWith(stem) && /^[-_]\d{4}-?\d{2}-?\d{2}\.xlsx$/.test(l.slice(stem.length));
  });
  return dated.sort().at(-1);
}
