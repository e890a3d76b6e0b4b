import type { DemoWorld } from './world.ts';

/**
 * The demo counterparts of SCB's key files (the DeSO→RegSO "kopplingstabell" and "DeSO historiska
 * förändringar"), as CSV: file name → text. SCB publishes these as XLSX on scb.se; the pipeline reads either
 * layout (README "Area keys"), and the demo serves the project's CSV one.
 */
export function areaKeyFiles(world: DemoWorld): Record<string, string> {
  const regsoName = new Map<string, string>();
  for (const a of world.areas) if (a.level === 'regso') regsoName.set(`${a.code}|${a.version}`, a.name);
  const keyRows = ['deso_code,deso_version,regso_code,regso_version,regso_name,kommun_code'];
  for (const a of world.areas) {
    if (a.level !== 'deso' || !a.regso_code) continue;
    const regsoVersion = a.version === 'DeSO2025' ? 'RegSO2025' : 'RegSO2020';
    const name = regsoName.get(`${a.regso_code}|${regsoVersion}`) ?? a.regso_code;
    keyRows.push([a.code, a.version, a.regso_code, regsoVersion, csvField(name), a.kommun_code ?? ''].join(','));
  }
  const cwRows = ['from_code,from_version,to_code,to_version,weight'];
  for (const c of world.crosswalk) cwRows.push([c.from_code, c.from_version, c.to_code, c.to_version, String(c.weight)].join(','));
  return { 'deso-regso.csv': keyRows.join('\n') + '\n', 'deso-crosswalk.csv': cwRows.join('\n') + '\n' };
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
