import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';

export interface OfficialLan {
  code: string;
  name: string;
}

export interface OfficialKommun {
  code: string;
  name: string;
  lan_code: string;
}

export interface OfficialAreas {
  lan: OfficialLan[];
  kommuner: OfficialKommun[];
}

/**
 * Reads the real län and kommun lists (data/areas/lan.csv, kommuner.csv). Codes stay text because the leading
 * zero is part of the code ("0114"), and a number would silently drop it. The files hold plain names without
 * commas or quotes, so a split on commas is enough; anything else is rejected rather than half-parsed.
 */
export function loadOfficialAreas(dataDir: string): OfficialAreas {
  const lanRows = readRows(join(dataDir, 'areas', 'lan.csv'), ['lan_code', 'lan_name']);
  const kommunRows = readRows(join(dataDir, 'areas', 'kommuner.csv'), ['kommun_code', 'kommun_name', 'lan_code']);
  const lan = lanRows.map(([code = '', name = ''], i) => {
    if (!/^\d{2}$/.test(code)) throw new UsageError(`lan.csv row ${i + 2}: bad län code "${code}"`);
    return { code, name };
  });
  const lanCodes = new Set(lan.map((l) => l.code));
  const kommuner = kommunRows.map(([code = '', name = '', lanCode = ''], i) => {
    if (!/^\d{4}$/.test(code)) throw new UsageError(`kommuner.csv row ${i + 2}: bad kommun code "${code}"`);
    if (!lanCodes.has(lanCode)) throw new UsageError(`kommuner.csv row ${i + 2}: unknown län code "${lanCode}"`);
    // The first two digits of a kommun code are its län code; a mismatch means a typo in one of them.
    if (code.slice(0, 2) !== lanCode) throw new UsageError(`kommuner.csv row ${i + 2}: ${code} is not in län ${lanCode}`);
    return { code, name, lan_code: lanCode };
  });
  return { lan, kommuner };
}

function readRows(path: string, header: string[]): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read ${path}`, { cause });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = (lines[0] ?? '').split(',').map((s) => s.trim());
  if (head.join(',') !== header.join(',')) {
    throw new UsageError(`${path}: expected header "${header.join(',')}", got "${head.join(',')}"`);
  }
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((s) => s.trim());
    if (cells.length !== header.length || cells.some((c) => c === '' || c.includes('"'))) {
      throw new UsageError(`${path} row ${i + 2}: expected ${header.length} plain cells, got "${line}"`);
    }
    return cells;
  });
}
