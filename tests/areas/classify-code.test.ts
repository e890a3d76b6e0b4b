import { describe, it, expect } from 'vitest';
import { classifyAreaCode } from '../../pipelines/areas/classify-code.ts';

describe('classifyAreaCode', () => {
  it('reads SCB region codes, with the 2025 vintage suffixes', () => {
    expect(classifyAreaCode('00', 'SCB')).toEqual({ code: '00', level: 'riket', version: 'riket' });
    expect(classifyAreaCode('01', 'SCB')).toEqual({ code: '01', level: 'lan', version: 'lan1998' });
    expect(classifyAreaCode('0180', 'SCB')).toEqual({ code: '0180', level: 'kommun', version: 'kommun2003' });
    expect(classifyAreaCode('0180C1010', 'SCB')).toEqual({ code: '0180C1010', level: 'deso', version: 'DeSO2018' });
    expect(classifyAreaCode('0114A0010_DeSO2025', 'SCB')).toEqual({ code: '0114A0010', level: 'deso', version: 'DeSO2025' });
    expect(classifyAreaCode('0180R001', 'SCB')).toEqual({ code: '0180R001', level: 'regso', version: 'RegSO2020' });
    expect(classifyAreaCode('2584R014_RegSO2025', 'SCB')).toEqual({ code: '2584R014', level: 'regso', version: 'RegSO2025' });
  });

  it("reads Kolada's ids: 0000 riket, 00LL regions, kommun codes", () => {
    expect(classifyAreaCode('0000', 'Kolada')).toEqual({ code: '00', level: 'riket', version: 'riket' });
    expect(classifyAreaCode('0025', 'Kolada')).toEqual({ code: '25', level: 'lan', version: 'lan1998' });
    expect(classifyAreaCode('2403', 'Kolada')).toEqual({ code: '2403', level: 'kommun', version: 'kommun2003' });
  });

  it('returns null for codes the pipeline does not follow', () => {
    for (const c of ['FA01', '0180X1010', '', 'SE11']) expect(classifyAreaCode(c, 'SCB')).toBeNull();
    expect(classifyAreaCode('G123', 'Kolada')).toBeNull();
  });
});
