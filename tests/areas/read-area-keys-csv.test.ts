import { describe, expect, it } from 'vitest';
import { readAreaKeysCsv } from '../../pipelines/areas/read-area-keys-csv.ts';

const file = (name: string, text: string) => ({ name, body: Buffer.from(text, 'utf8') });
const KEY = 'deso_code,deso_version,regso_code,regso_version,regso_name,kommun_code\n';
const CW = 'from_code,from_version,to_code,to_version,weight\n';

describe('readAreaKeysCsv (the project’s CSV layout)', () => {
  it('reads both files into the internal records, quoted names included', () => {
    const keys = readAreaKeysCsv(
      file('deso-regso.csv', `\uFEFF${KEY}0114C1010,DeSO2018,0114R001,RegSO2020,"Bollstanäs, norra",0114\r\n`),
      file('deso-crosswalk.csv', `${CW}0114C1060,DeSO2018,0114C1061,DeSO2025,0.4\n0114C1060,DeSO2018,0114C1062,DeSO2025,0.6\n`),
    );
    expect(keys.regso).toEqual([
      { deso_code: '0114C1010', deso_version: 'DeSO2018', regso_code: '0114R001', regso_version: 'RegSO2020', regso_name: 'Bollstanäs, norra', kommun_code: '0114' },
    ]);
    expect(keys.crosswalk.map((r) => r.weight)).toEqual([0.4, 0.6]);
  });

  it('names the file and row of a bad header, field count or weight', () => {
    expect(() => readAreaKeysCsv(file('deso-regso.csv', 'deso,regso\n'), file('deso-crosswalk.csv', CW))).toThrow(
      'deso-regso.csv: expected header "deso_code,deso_version,regso_code,regso_version,regso_name,kommun_code", got "deso,regso"',
    );
    expect(() => readAreaKeysCsv(file('deso-regso.csv', `${KEY}0114C1010,DeSO2018\n`), file('deso-crosswalk.csv', CW))).toThrow('deso-regso.csv row 2: expected 6 fields, got 2');
    expect(() => readAreaKeysCsv(file('deso-regso.csv', KEY), file('deso-crosswalk.csv', `${CW}a,DeSO2018,b,DeSO2025,1.5\n`))).toThrow('deso-crosswalk.csv row 2: weight "1.5" is not a number in 0–1');
    expect(() => readAreaKeysCsv(file('deso-regso.csv', KEY), file('deso-crosswalk.csv', `${CW}a,DeSO2018,b,DeSO2025,\n`))).toThrow('deso-crosswalk.csv row 2: weight "" is not a number in 0–1');
  });
});
