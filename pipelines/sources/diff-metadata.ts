/**
 * What changed in an SCB table between the stored copy of its metadata (data/metadata/scb) and SCB's live answer:
 * the facts the catalogue and the ingest rest on (variables, codes, elimination, Tid range, region levels and
 * count, aggregallowed) and the update date. Region codes are compared by count and levels only: a stored copy
 * keeps a cut of them.
 */
import type { MetaVariable, TableMetadata } from './table-metadata.ts';

export interface MetadataChange {
  table: string;
  variable?: string;
  message: string;
}

export function diffMetadata(stored: TableMetadata | undefined, live: TableMetadata): MetadataChange[] {
  const table = live.id;
  if (!stored) return [{ table, message: `no stored copy; live: ${summary(live)}` }];
  const out: MetadataChange[] = [];
  const add = (message: string, variable?: string): void => {
    out.push({ table, ...(variable !== undefined ? { variable } : {}), message });
  };
  if (stored.reconstructed) add('the stored copy is reconstructed; this is the first copy received from SCB');
  if (stored.updated !== live.updated) add(`updated ${stored.updated ?? 'unknown'} → ${live.updated ?? 'unknown'}`);
  if (stored.label !== live.label) add(`title "${stored.label}" → "${live.label}"`);

  const before = new Map(stored.variables.map((v) => [v.code, v]));
  const after = new Map(live.variables.map((v) => [v.code, v]));
  for (const v of live.variables) {
    if (!before.has(v.code)) add(`variable added (${v.elimination ? 'may be eliminated' : 'mandatory'}; codes ${few(v.values)})`, v.code);
  }
  for (const v of stored.variables) if (!after.has(v.code)) add('variable removed', v.code);
  for (const v of live.variables) {
    const s = before.get(v.code);
    if (!s) continue;
    if (s.elimination !== v.elimination) add(`elimination ${s.elimination} → ${v.elimination}${v.elimination ? '' : ' (now mandatory)'}`, v.code);
    if (v.code === 'Region') continue;
    if (v.isTime) {
      const a = span(stored.years);
      const b = span(live.years);
      if (a !== b) add(`${a} → ${b}`, v.code);
      else codeChanges(s, v, add);
      continue;
    }
    codeChanges(s, v, add);
  }

  if (stored.regionCount !== live.regionCount) add(`${stored.regionCount} → ${live.regionCount} codes`, 'Region');
  const a = stored.regions.map((r) => r.version).join(', ');
  const b = live.regions.map((r) => r.version).join(', ');
  if (a !== b) add(`levels ${a || 'none'} → ${b || 'none'}`, 'Region');
  if (stored.aggregallowed !== live.aggregallowed) add(`aggregallowed ${stored.aggregallowed} → ${live.aggregallowed}`);
  return out;
}

function codeChanges(s: MetaVariable, v: MetaVariable, add: (message: string, variable?: string) => void): void {
  const added = v.values.filter((c) => !s.values.includes(c));
  const removed = s.values.filter((c) => !v.values.includes(c));
  const parts = [...(added.length ? [`codes added: ${few(added)}`] : []), ...(removed.length ? [`codes removed: ${few(removed)}`] : [])];
  if (parts.length) add(parts.join('; '), v.code);
}

function summary(m: TableMetadata): string {
  const vars = m.variables.filter((v) => v.code !== 'Region' && !v.isTime).map((v) => `${v.code} (${v.values.length})`);
  return `updated ${m.updated ?? 'unknown'}; Tid ${span(m.years)}; Region ${m.regionCount} codes (${m.regions.map((r) => r.version).join(', ') || 'no known level'}); ${vars.join(', ')}; aggregallowed ${m.aggregallowed}`;
}

function span(years: number[]): string {
  return years.length ? `${years[0]}–${years[years.length - 1]}` : 'no years';
}

function few(codes: string[], n = 10): string {
  return codes.length <= n ? codes.join(', ') : `${codes.slice(0, n).join(', ')}, … (${codes.length})`;
}
