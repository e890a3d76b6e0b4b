import { SourceError } from '../errors.ts';
import type { AreaKeys, KeyFile } from './area-keys.ts';

const REGSO_HEADER = ['deso_code', 'deso_version', 'regso_code', 'regso_version', 'regso_name', 'kommun_code'];
const CROSSWALK_HEADER = ['from_code', 'from_version', 'to_code', 'to_version', 'weight'];

/**
 * The area keys from the project's CSV layout (README "Area keys"): deso-regso.csv and deso-crosswalk.csv, UTF-8,
 * exactly the header given there. Checks only the layout and the weights; the areas stage checks the codes
 * against the official kommun list.
 */
export function readAreaKeysCsv(regso: KeyFile, crosswalk: KeyFile): AreaKeys {
  const keyRows = parseCsv(regso.body.toString('utf8'), regso.name, REGSO_HEADER);
  const cwRows = parseCsv(crosswalk.body.toString('utf8'), crosswalk.name, CROSSWALK_HEADER);
  return {
    regso: keyRows.map(([deso_code = '', deso_version = '', regso_code = '', regso_version = '', regso_name = '', kommun_code = '']) => ({
      deso_code,
      deso_version,
      regso_code,
      regso_version,
      regso_name,
      kommun_code,
    })),
    crosswalk: cwRows.map(([from_code = '', from_version = '', to_code = '', to_version = '', w = ''], i) => {
      const weight = Number(w);
      if (w.trim() === '' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
        throw new SourceError(`${crosswalk.name} row ${i + 2}: weight "${w}" is not a number in 0–1`);
      }
      return { from_code, from_version, to_code, to_version, weight };
    }),
  };
}

/** A strict reader for the key files' simple CSV (quoted fields allowed); names the file and row on errors. */
function parseCsv(text: string, file: string, header: string[]): string[][] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== header.join(',')) throw new SourceError(`${file}: expected header "${header.join(',')}", got "${lines[0] ?? ''}"`);
  return lines.slice(1).map((line, i) => {
    const fields: string[] = [];
    const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ''));
      if (re.lastIndex >= line.length) break;
    }
    if (fields.length !== header.length) throw new SourceError(`${file} row ${i + 2}: expected ${header.length} fields, got ${fields.length}`);
    return fields;
  });
}
