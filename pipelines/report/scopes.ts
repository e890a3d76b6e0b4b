import { UsageError } from '../errors.ts';
import type { ReportModel } from './model.ts';

export type Scope = ReportModel['scope'];
type AreaLevel = 'lan' | 'kommun';

/**
 * Which reports a run writes. `--areas` names exactly the reports wanted: a län code (2 digits) is that län's
 * report, a kommun code (4 digits) that kommun's, and nothing else — a län code does not bring its kommuner, a
 * kommun code does not bring its län. Without `--areas` every area of each level in `--reports` gets one.
 * `riket` in `--reports` always gives the riket report (it has no code to name).
 *
 * A code that names no area of the requested levels is refused (exit 2) rather than read as a request for nothing:
 * a code of a level not in `--reports` (a län code with `--reports kommun`) and a code not in the area register.
 */
export function selectScopes(
  levels: readonly string[],
  wanted: readonly string[],
  areasOf: (level: AreaLevel) => readonly { code: string; name: string }[],
): Scope[] {
  const want = new Set(wanted);
  const scopes: Scope[] = [];
  for (const level of levels) {
    if (level === 'riket') {
      scopes.push({ level: 'riket', code: '00', name: 'Riket' });
      continue;
    }
    if (level !== 'lan' && level !== 'kommun') continue;
    for (const a of areasOf(level)) if (want.size === 0 || want.has(a.code)) scopes.push({ level, code: a.code, name: a.name });
  }
  if (want.size === 0) return scopes;
  const wrongLevel = [...want].filter((c) => (c.length === 2 ? !levels.includes('lan') : c.length === 4 ? !levels.includes('kommun') : true));
  if (wrongLevel.length > 0) {
    const lan = wrongLevel.filter((c) => c.length === 2);
    const kommun = wrongLevel.filter((c) => c.length === 4);
    const parts = [
      ...(lan.length > 0 ? [`${lan.join(',')} ${lan.length === 1 ? 'is a län code' : 'are län codes'} but --reports has no lan (add lan to --reports; a län code gives that län's report only, for the kommun reports of a län list their kommun codes)`] : []),
      ...(kommun.length > 0 ? [`${kommun.join(',')} ${kommun.length === 1 ? 'is a kommun code' : 'are kommun codes'} but --reports has no kommun (add kommun to --reports)`] : []),
    ];
    throw new UsageError(`--areas ${wrongLevel.join(',')}: ${parts.join('; ')}`);
  }
  const found = new Set(scopes.map((s) => s.code));
  const unknown = [...want].filter((c) => !found.has(c));
  if (unknown.length > 0) {
    const named = [...new Set(unknown.map((c) => (c.length === 2 ? 'län' : 'kommun')))].join('/');
    throw new UsageError(`--areas ${unknown.join(',')}: no ${named} with that code in the area register`);
  }
  return scopes;
}
