/**
 * The area levels and versions every part of the pipeline speaks of (DESIGN.md §2). They belong to the pipeline,
 * not to the demo: the demo world, the emulator and the real sources all use these.
 */
export type Level = 'riket' | 'lan' | 'kommun' | 'regso' | 'deso';

/** Area versions. DeSO 2018 / RegSO 2020 carry the years up to 2023, DeSO 2025 / RegSO 2025 carry 2024– (SOURCES.md §2.1). */
export type AreaVersion = 'riket' | 'lan1998' | 'kommun2003' | 'RegSO2020' | 'RegSO2025' | 'DeSO2018' | 'DeSO2025';

/** The first year published on the 2025 DeSO/RegSO versions. */
export const AREA_REVISION_YEAR = 2024;

export function desoVersionFor(year: number): AreaVersion {
  return year >= AREA_REVISION_YEAR ? 'DeSO2025' : 'DeSO2018';
}

export function regsoVersionFor(year: number): AreaVersion {
  return year >= AREA_REVISION_YEAR ? 'RegSO2025' : 'RegSO2020';
}
