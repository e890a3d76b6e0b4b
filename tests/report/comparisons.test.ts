/**
 * Ranks, similar-kommun groups and bands (pipelines/report/comparisons.ts) on handmade rows with ties and gaps.
 */
import { describe, expect, it } from 'vitest';
import { comparisonCaption, indicatorRank, rankAmong, rankText, similarBand, similarGroup, type GroupRow } from '../../pipelines/report/comparisons.ts';

const rows = [
  { code: '0114', lan_code: '01', value: 80.04 },
  { code: '0180', lan_code: '01', value: 79.96 }, // prints 80,0: tied with 0114
  { code: '0181', lan_code: '01', value: 82.3 },
  { code: '0182', lan_code: '01', value: null },
  { code: '1280', lan_code: '12', value: 80.0 }, // tied too, in another län
  { code: '1281', lan_code: '12', value: 75.5 },
  { code: '2584', lan_code: '25', value: 90.1 },
];

describe('rankAmong: competition ranking on printed values, highest first', () => {
  it('ties share the best rank and count the others sharing it; the next rank skips', () => {
    expect(rankAmong(rows, '2584', 1)).toEqual({ rank: 1, n: 6, ties: 0 });
    expect(rankAmong(rows, '0181', 1)).toEqual({ rank: 2, n: 6, ties: 0 });
    // 0114 (80,04), 0180 (79,96) and 1280 (80,00) all print 80,0.
    for (const code of ['0114', '0180', '1280']) expect(rankAmong(rows, code, 1)).toEqual({ rank: 3, n: 6, ties: 2 });
    expect(rankAmong(rows, '1281', 1)).toEqual({ rank: 6, n: 6, ties: 0 });
  });

  it('at more decimals the tie is gone', () => {
    expect(rankAmong(rows, '0114', 2)).toEqual({ rank: 3, n: 6, ties: 0 });
    expect(rankAmong(rows, '1280', 2)).toEqual({ rank: 4, n: 6, ties: 0 });
    expect(rankAmong(rows, '0180', 2)).toEqual({ rank: 5, n: 6, ties: 0 });
  });

  it('a kommun without a value gets no rank; kommuner without values are not counted', () => {
    expect(rankAmong(rows, '0182', 1)).toEqual({ rank: null, n: 6, ties: 0 });
  });
});

describe('indicatorRank: in riket and in the län', () => {
  it('ranks within the kommun\'s own län by its code', () => {
    expect(indicatorRank(rows, '0180', 2024, 1)).toEqual({ year: 2024, rank_riket: 3, n_riket: 6, ties_riket: 2, rank_lan: 2, n_lan: 3, ties_lan: 1 });
    expect(indicatorRank(rows, '1281', 2024, 1)).toEqual({ year: 2024, rank_riket: 6, n_riket: 6, ties_riket: 0, rank_lan: 2, n_lan: 2, ties_lan: 0 });
  });

  it('ranks as rankAmong does, for every kommun of many rows asked again and again (the tables are made once)', () => {
    // A fixed pseudo-random set with ties at print precision, gaps, negative values and -0.
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const many = Array.from({ length: 300 }, (_, i) => {
      const code = String(100 + i).padStart(4, '0');
      const lan = String(1 + (i % 21)).padStart(2, '0');
      const r = next();
      return { code: `${lan}${code.slice(2)}`, lan_code: lan, value: r < 0.1 ? null : r < 0.15 ? -0 : Math.round((next() - 0.3) * 2000) / 40 };
    });
    for (const decimals of [0, 1, 2]) {
      for (const { code } of many) {
        const lan = many.filter((r) => r.lan_code === code.slice(0, 2));
        const riket = rankAmong(many, code, decimals);
        const inLan = rankAmong(lan, code, decimals);
        expect(indicatorRank(many, code, 2024, decimals)).toEqual({ year: 2024, rank_riket: riket.rank, n_riket: riket.n, ties_riket: riket.ties, rank_lan: inLan.rank, n_lan: inLan.n, ties_lan: inLan.ties });
      }
    }
  });

  it('rankText states n and ties', () => {
    expect(rankText(3, 290, 2)).toBe('3 av 290 (delad med 2 andra)');
    expect(rankText(1, 26, 1)).toBe('1 av 26 (delad med 1 annan)');
    expect(rankText(null, 289, 0)).toBe('ingen plats (värde saknas; 289 med värde)');
  });
});

const groups: GroupRow[] = [
  ...['0180', '1280', '1480'].map((m) => ({ group_id: 'G1', title: 'Liknande kommuner, övergripande, Höör, 2024', member_code: m, member_name: m })),
  ...['0114', '0115'].map((m) => ({ group_id: 'G2', title: 'Liknande kommuner, övergripande, Höör, 2025', member_code: m, member_name: m })),
  ...['1267', '1284'].map((m) => ({ group_id: 'G3', title: 'Liknande kommuner grundskola, Höör, 2025', member_code: m, member_name: m })),
  ...['0999'].map((m) => ({ group_id: 'G4', title: 'Liknande kommuner socioekonomi, Hörby, 2022', member_code: m, member_name: m })),
  ...['1267', '1293'].map((m) => ({ group_id: 'G5', title: 'Liknande kommuner socioekonomi, Höör, 2022', member_code: m, member_name: m })),
];

describe('similarGroup: Kolada\'s "Liknande kommuner, övergripande, <kommun>, <year>"', () => {
  it('takes the latest year up to the report year, not another kind of group or another kommun', () => {
    expect(similarGroup(groups, { code: '1267', name: 'Höör' }, 2025)?.group_id).toBe('G2');
    expect(similarGroup(groups, { code: '1267', name: 'Höör' }, 2024)?.group_id).toBe('G1');
    // Before any group's year: the earliest there is.
    expect(similarGroup(groups, { code: '1267', name: 'Höör' }, 2020)?.group_id).toBe('G1');
  });

  it('falls back to the socio-economic groups, and leaves the kommun itself out of the members', () => {
    const g = similarGroup(groups.filter((r) => !r.title.includes('övergripande')), { code: '1267', name: 'Höör' }, 2025);
    expect(g?.group_id).toBe('G5');
    expect(g?.members.map((m) => m.code)).toEqual(['1293']);
    expect(similarGroup(groups, { code: '2584', name: 'Kiruna' }, 2025)).toBeUndefined();
  });
});

describe('similarBand', () => {
  it('lowest, median and highest of the members with a value per year', () => {
    const band = similarBand({ group_id: 'G', title: 't', members: ['a', 'b', 'c', 'd'].map((code) => ({ code, name: code })) }, [
      { code: 'a', year: 2020, value: 1 },
      { code: 'b', year: 2020, value: 4 },
      { code: 'c', year: 2020, value: 2 },
      { code: 'd', year: 2020, value: null },
      { code: 'x', year: 2020, value: 100 },
      { code: 'a', year: 2021, value: 3 },
      { code: 'b', year: 2021, value: 5 },
    ]);
    expect(band.band).toEqual([
      { year: 2020, min: 1, median: 2, max: 4, n: 3 },
      { year: 2021, min: 3, median: 4, max: 5, n: 2 },
    ]);
  });
});

describe('comparisonCaption', () => {
  it('names every line and the band, and states the ranks with n and ties', () => {
    const text = comparisonCaption(
      {
        comparison_series: [
          { name: 'Stockholms län', level: 'lan' },
          { name: 'riket', level: 'riket' },
        ],
        similar: { group_id: 'G', group_title: 'Liknande kommuner, övergripande, Stockholm, 2025', members: [{ code: '1480', name: 'Göteborg' }], band: [] },
        rank: { year: 2024, rank_riket: 3, n_riket: 290, ties_riket: 2, rank_lan: 1, n_lan: 26, ties_lan: 0 },
      },
      'Stockholm',
    );
    expect(text).toBe(
      ' Blå linje: Stockholm; orange linje: Stockholms län; grå streckad linje: riket; grått fält: lägsta till högsta värde bland 1 liknande kommuner ' +
        '(Kolada, Liknande kommuner, övergripande, Stockholm, 2025). Jämförelsernas värden finns i Excelfilen (bladet Jämförelser per år). ' +
        'Plats 2024 (1 = högst värde): bland kommunerna i riket 3 av 290 (delad med 2 andra), i Stockholms län 1 av 26.',
    );
    expect(comparisonCaption({}, 'Riket')).toBe('');
  });
});
