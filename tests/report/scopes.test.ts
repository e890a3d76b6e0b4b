import { describe, expect, it } from 'vitest';
import { selectScopes } from '../../pipelines/report/scopes.ts';
import { UsageError } from '../../pipelines/errors.ts';

const LAN = [
  { code: '01', name: 'Stockholms län' },
  { code: '12', name: 'Skåne län' },
];
const KOMMUNER = [
  { code: '0114', name: 'Upplands Väsby' },
  { code: '0180', name: 'Stockholm' },
  { code: '1280', name: 'Malmö' },
  { code: '1281', name: 'Lund' },
];
const areasOf = (level: 'lan' | 'kommun') => (level === 'lan' ? LAN : KOMMUNER);
const codes = (levels: string[], wanted: string[]) => selectScopes(levels, wanted, areasOf).map((s) => `${s.level}:${s.code}`);

describe('selectScopes: --areas names exactly the reports written', () => {
  it('without --areas, every area of each requested level', () => {
    expect(codes(['riket', 'lan', 'kommun'], [])).toEqual(['riket:00', 'lan:01', 'lan:12', 'kommun:0114', 'kommun:0180', 'kommun:1280', 'kommun:1281']);
  });

  it('a kommun code gives that kommun only, not its neighbours in the län', () => {
    expect(codes(['kommun'], ['0180', '1281'])).toEqual(['kommun:0180', 'kommun:1281']);
  });

  it('a län code gives the län report only, not its kommuner', () => {
    expect(codes(['lan', 'kommun'], ['01', '1280'])).toEqual(['lan:01', 'kommun:1280']);
  });

  it('the reported bug: --areas 01,12 --reports kommun no longer makes every kommun of both län; it is refused', () => {
    const run = () => codes(['kommun'], ['01', '12']);
    expect(run).toThrow(UsageError);
    expect(run).toThrow("--areas 01,12: 01,12 are län codes but --reports has no lan (add lan to --reports; a län code gives that län's report only, for the kommun reports of a län list their kommun codes)");
  });

  it('a kommun code without kommun in --reports is refused, naming it', () => {
    expect(() => codes(['lan'], ['01', '0180'])).toThrow('--areas 0180: 0180 is a kommun code but --reports has no kommun (add kommun to --reports)');
  });

  it('a code not in the register is refused, naming the level', () => {
    expect(() => codes(['kommun'], ['9999'])).toThrow('--areas 9999: no kommun with that code in the area register');
    expect(() => codes(['lan', 'kommun'], ['99'])).toThrow('--areas 99: no län with that code in the area register');
  });

  it('riket is written whenever asked for, beside the named areas', () => {
    expect(codes(['riket', 'kommun'], ['1280'])).toEqual(['riket:00', 'kommun:1280']);
  });
});
