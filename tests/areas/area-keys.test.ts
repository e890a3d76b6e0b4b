import { describe, expect, it } from 'vitest';
import { XLSX_KEY_FILES, findDatedKeyFile } from '../../pipelines/areas/area-keys.ts';

describe('findDatedKeyFile (local folders may hold SCB’s dated file names)', () => {
  it('prefers the undated name, else the newest of SCB’s dated names', () => {
    const folder = [
      'koppling-deso2018-regso2020_2025-03-21.xlsx',
      'koppling-deso2018-regso2020_2026-03-25.xlsx',
      'koppling-deso2025-regso2025_2026-03-25.xlsx',
      'deso-historiska-forandringar-2025-09-19.xlsx',
      'notes.txt',
    ];
    expect(findDatedKeyFile(folder, XLSX_KEY_FILES.regso2018)).toBe('koppling-deso2018-regso2020_2026-03-25.xlsx');
    expect(findDatedKeyFile(folder, XLSX_KEY_FILES.regso2025)).toBe('koppling-deso2025-regso2025_2026-03-25.xlsx');
    expect(findDatedKeyFile(folder, XLSX_KEY_FILES.changes)).toBe('deso-historiska-forandringar-2025-09-19.xlsx');
    expect(findDatedKeyFile([...folder, 'koppling-deso2018-regso2020.xlsx'], XLSX_KEY_FILES.regso2018)).toBe('koppling-deso2018-regso2020.xlsx');
  });

  it('ignores names that only start alike (a copy, another key) and ignores case', () => {
    expect(findDatedKeyFile(['koppling-deso2018-regso2020 (1).xlsx', 'koppling-deso2018-regso2020-utkast.xlsx'], XLSX_KEY_FILES.regso2018)).toBeUndefined();
    expect(findDatedKeyFile(['Koppling-DeSO2025-RegSO2025_20260325.XLSX'], XLSX_KEY_FILES.regso2025)).toBe('Koppling-DeSO2025-RegSO2025_20260325.XLSX');
    expect(findDatedKeyFile([], XLSX_KEY_FILES.changes)).toBeUndefined();
  });
});
