import type { AreaVersion, Level } from './levels.ts';

export interface ClassifiedArea {
  code: string;
  level: Level;
  version: AreaVersion;
}

const DESO = /^\d{4}[ABC]\d{4}$/;
const REGSO = /^\d{4}R\d{3}$/;

/**
 * Turns a region code as a source serves it into (plain code, level, version). SCB tables holding both DeSO
 * vintages mark the new codes with `_DeSO2025` / `_RegSO2025`; Kolada uses `0000` for riket and `00LL` for
 * regions. Returns null for codes we do not follow (e.g. SCB's "FA" labour-market regions).
 */
export function classifyAreaCode(raw: string, source: 'SCB' | 'Kolada'): ClassifiedArea | null {
  if (source === 'Kolada') {
    if (raw === '0000') return { code: '00', level: 'riket', version: 'riket' };
    if (/^00\d{2}$/.test(raw)) return { code: raw.slice(2), level: 'lan', version: 'lan1998' };
    if (/^\d{4}$/.test(raw)) return { code: raw, level: 'kommun', version: 'kommun2003' };
    return null;
  }
  const [code = '', suffix] = raw.split('_');
  if (code === '00') return { code, level: 'riket', version: 'riket' };
  if (/^\d{2}$/.test(code)) return { code, level: 'lan', version: 'lan1998' };
  if (/^\d{4}$/.test(code)) return { code, level: 'kommun', version: 'kommun2003' };
  if (DESO.test(code)) return { code, level: 'deso', version: suffix === 'DeSO2025' ? 'DeSO2025' : 'DeSO2018' };
  if (REGSO.test(code)) return { code, level: 'regso', version: suffix === 'RegSO2025' ? 'RegSO2025' : 'RegSO2020' };
  return null;
}
