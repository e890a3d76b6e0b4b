import { describe, expect, it } from 'vitest';
import { loadIndicators, loadSources, type IndicatorCatalogue, type IndicatorDef, type PxSource, type SourceCatalogue } from '../../pipelines/catalogue.ts';
import { checkCatalogue, type CatalogueProblem, type StoredKpiMetadata } from '../../pipelines/sources/check-catalogue.ts';
import { loadStoredMetadata, type TableMetadata } from '../../pipelines/sources/table-metadata.ts';

/**
 * checkCatalogue against SCB's real table metadata (data/metadata/scb): the shipped catalogue passes, and each
 * mutation of one entry gives the problem SCB's API would answer with, naming table, variable and code.
 */

const DATA = new URL('../../data', import.meta.url).pathname;
const shipped = loadSources(DATA);
const stored = new Map<string, TableMetadata | undefined>();
const metadataOf = (id: string): TableMetadata | undefined => {
  if (!stored.has(id)) stored.set(id, loadStoredMetadata(DATA, id));
  return stored.get(id);
};
const fileOf = (id: string): string => `${DATA}/metadata/scb/${id}.json`;

/** The shipped catalogue with one entry changed (a deep copy: the shipped one stays as read). */
function mutated(id: string, change: (e: PxSource) => void): SourceCatalogue {
  const cat = structuredClone(shipped);
  const e = cat.pxweb.find((t) => t.id === id);
  if (!e) throw new Error(`${id} is not in data/sources.json`);
  change(e);
  return cat;
}

const errors = (ps: CatalogueProblem[]): CatalogueProblem[] => ps.filter((p) => p.severity === 'error');
/** The problems a mutation adds to those of the shipped catalogue. */
function added(cat: SourceCatalogue, meta: (id: string) => TableMetadata | undefined = metadataOf): CatalogueProblem[] {
  const before = new Set(checkCatalogue(shipped, metadataOf).map((p) => JSON.stringify(p)));
  return checkCatalogue(cat, meta).filter((p) => !before.has(JSON.stringify(p)));
}

describe('checkCatalogue: the shipped catalogue', () => {
  it('data/sources.json has no errors against the stored SCB metadata', () => {
    expect(errors(checkCatalogue(shipped, metadataOf))).toEqual([]);
  });

  it('warns that every entry marked confirmed: false is unconfirmed', () => {
    const warned = checkCatalogue(shipped, metadataOf).filter((p) => p.severity === 'warning' && p.message.startsWith('unconfirmed: '));
    for (const t of shipped.pxweb.filter((x) => !x.confirmed)) expect(warned.map((p) => p.table)).toContain(t.id);
  });

  it('data/indicators.json has no errors against data/sources.json', () => {
    const ind = loadIndicators(DATA);
    expect(errors(checkCatalogue(shipped, metadataOf, { indicators: ind }))).toEqual([]);
  });

  it('is pure: the catalogue and the metadata are left as they were', () => {
    const cat = structuredClone(shipped);
    const meta = structuredClone(metadataOf('TAB6680'));
    checkCatalogue(cat, metadataOf, { indicators: loadIndicators(DATA), kpiOf: () => undefined });
    expect(cat).toEqual(shipped);
    expect(metadataOf('TAB6680')).toEqual(meta);
  });
});

describe('checkCatalogue: one broken entry at a time', () => {
  it('an id that is not a PxWebApi 2.0 table id (the v1 name IntGr5Socio)', () => {
    const p = added(mutated('TAB6586', (e) => (e.id = 'IntGr5Socio')));
    expect(p).toEqual([
      { table: 'IntGr5Socio', severity: 'error', message: 'no SCB metadata for IntGr5Socio: not a PxWebApi 2.0 table id (SCB answers 404 Non-existent table)', origin: 'data/sources.json' },
    ]);
  });

  it('a TAB id without stored metadata says how to fetch it', () => {
    const [p] = added(mutated('TAB6586', (e) => (e.id = 'TAB9999')));
    expect(p).toMatchObject({ table: 'TAB9999', severity: 'error' });
    expect(p?.message).toBe('no SCB metadata for TAB9999 in data/metadata/scb: fetch it with "segfollow sources --check --live --update" (SCB answers 404 Non-existent table if the id is wrong)');
  });

  it('a variable the table does not have (Kon in TAB5956)', () => {
    const p = added(mutated('TAB5956', (e) => (e.variables.Kon = { '1+2': 'totalt' })));
    expect(p).toEqual([
      {
        table: 'TAB5956',
        variable: 'Kon',
        severity: 'error',
        message: 'not a variable of TAB5956 (SCB answers 400 Non-existent variable); its variables are Region, UtbildningsNiva, ContentsCode, Tid',
        origin: fileOf('TAB5956'),
      },
    ]);
  });

  it('a code the variable does not have, naming the codes it has', () => {
    const p = added(mutated('TAB5956', (e) => (e.variables.UtbildningsNiva = { ...e.variables.UtbildningsNiva, '7': 'forskarutbildning' })));
    expect(p).toEqual([
      {
        table: 'TAB5956',
        variable: 'UtbildningsNiva',
        code: '7',
        severity: 'error',
        message: 'not a code of UtbildningsNiva (SCB answers 400 Non-existent value); its codes are 21, 3+4, 5, 6, US',
        origin: fileOf('TAB5956'),
      },
    ]);
    // A long code list is cut to its first eight.
    const [q] = added(mutated('TAB5750', (e) => (e.variables.Bakgrund = { 'tot20-65': 'totalt 20–65 år' })));
    expect(q).toMatchObject({ table: 'TAB5750', variable: 'Bakgrund', code: 'tot20-65', severity: 'error' });
    expect(q?.message).toMatch(/^not a code of Bakgrund \(SCB answers 400 Non-existent value\); its codes are tot20-64, 20-24, 25-34, 35-44, 45-54, 55-64, 000, F, … \(25 in all\)$/);
  });

  it('a mandatory variable left out (Alder dropped from TAB6680)', () => {
    const p = added(mutated('TAB6680', (e) => delete e.variables.Alder));
    expect(p).toEqual([
      {
        table: 'TAB6680',
        variable: 'Alder',
        severity: 'error',
        message: 'mandatory (cannot be eliminated) but not selected (SCB answers 400 Missing selection for mandatory variable); its codes are 15-74, 16-64, 16-65, 16-66, 20-64, 20-65, 20-66',
        origin: fileOf('TAB6680'),
      },
    ]);
    // An eliminable variable may be left out (Kon in TAB6680).
    expect(added(mutated('TAB6680', (e) => delete e.variables.Kon))).toEqual([]);
  });

  it('Region and Tid are never listed: the ingest requests them itself', () => {
    const p = added(
      mutated('TAB6571', (e) => {
        e.variables.Region = { '00': 'riket' };
        e.variables.Tid = { '2020': '2020' };
      }),
    );
    expect(p.map((x) => [x.variable, x.severity, x.message])).toEqual([
      ['Region', 'error', 'must not be listed in variables: the ingest requests every Region code (levels) itself'],
      ['Tid', 'error', 'must not be listed in variables: the ingest requests every year (years) itself'],
    ]);
  });

  it('years the table does not publish (2017 in TAB6680), naming the published range', () => {
    const p = added(mutated('TAB6680', (e) => (e.years = [2017, 2024])));
    expect(p).toEqual([{ table: 'TAB6680', variable: 'Tid', severity: 'error', message: '2017, 2018, 2019 not published (2020–2024)', origin: fileOf('TAB6680') }]);
  });

  it('newer data than the catalogue expects is a warning, not an error', () => {
    const p = added(mutated('TAB6685', (e) => (e.years = [2017, 2022])));
    expect(p).toEqual([{ table: 'TAB6685', variable: 'Tid', severity: 'warning', message: "newer data published: 2023, 2024 (the catalogue's years end 2022)", origin: fileOf('TAB6685') }]);
  });

  it('a level the table does not publish (kommun in TAB6258), naming those it does', () => {
    const p = added(
      mutated('TAB6258', (e) => {
        e.levels = ['kommun', ...e.levels];
        e.derive = (e.derive ?? []).filter((l) => l !== 'kommun');
      }),
    );
    expect(p).toEqual([
      { table: 'TAB6258', variable: 'Region', severity: 'error', message: "kommun not published: the table's Region holds regso, deso (RegSO2020, DeSO2018)", origin: fileOf('TAB6258') },
    ]);
  });

  it('a DeSO/RegSO year needs the area version it is published on', () => {
    // TAB6586 without its RegSO 2025 value set: 2024 has no RegSO to ask for.
    const meta = (id: string): TableMetadata | undefined => {
      const m = metadataOf(id);
      return id === 'TAB6586' && m ? { ...m, regions: m.regions.filter((r) => r.version !== 'RegSO2025') } : m;
    };
    const p = added(shipped, meta);
    expect(p).toEqual([
      { table: 'TAB6586', variable: 'Region', severity: 'error', message: "regso 2024 needs RegSO2025, which the table's Region does not hold (it holds regso (RegSO2020))", origin: fileOf('TAB6586') },
    ]);
  });

  it('derive where SCB does not allow aggregation (TAB6680)', () => {
    const p = added(mutated('TAB6680', (e) => (e.derive = ['kommun'])));
    expect(p).toEqual([
      {
        table: 'TAB6680',
        variable: 'Region',
        severity: 'error',
        message: 'derive kommun: SCB does not allow aggregating TAB6680 (aggregallowed false), so kommun cannot be summed from DeSO',
        origin: fileOf('TAB6680'),
      },
    ]);
  });

  it('derive of a level the table publishes (kommun in TAB6571) is a warning: use the published level', () => {
    const p = added(
      mutated('TAB6571', (e) => {
        e.levels = e.levels.filter((l) => l !== 'kommun');
        e.derive = ['kommun'];
      }),
    );
    expect(p).toEqual([
      {
        table: 'TAB6571',
        variable: 'Region',
        severity: 'warning',
        message: 'derive kommun: the table publishes kommun; request the published level (levels) instead of summing DeSO',
        origin: fileOf('TAB6571'),
      },
    ]);
  });

  it('derive from a table without DeSO, and a level both requested and derived', () => {
    const p = added(mutated('TAB5750', (e) => (e.derive = ['kommun'])));
    expect(p.map((x) => x.message)).toEqual([
      'derive kommun: SCB does not allow aggregating TAB5750 (aggregallowed false), so kommun cannot be summed from DeSO',
      "derive kommun: needs DeSO, which the table's Region does not hold (it holds regso (RegSO2020))",
    ]);
    const q = added(mutated('TAB6258', (e) => (e.derive = ['deso'])));
    expect(q.map((x) => [x.severity, x.message])).toEqual([
      ['warning', 'derive deso: the table publishes deso; request the published level (levels) instead of summing DeSO'],
      ['error', 'derive deso: deso is also in levels; a level is either requested or derived'],
    ]);
  });

  it('cellKeyFrom against SCB\'s notes on the cell-key method, both ways', () => {
    expect(added(mutated('TAB6571', (e) => delete e.cellKeyFrom))).toEqual([
      {
        table: 'TAB6571',
        severity: 'warning',
        message: "SCB's notes describe the cell-key method (controlled random uncertainty from reference year 2025), but the catalogue sets no cellKeyFrom",
        origin: fileOf('TAB6571'),
      },
    ]);
    expect(added(mutated('TAB6685', (e) => (e.cellKeyFrom = 2025)))).toEqual([
      {
        table: 'TAB6685',
        severity: 'warning',
        message: "cellKeyFrom 2025, but SCB's notes on the table say nothing about the cell-key method (controlled random uncertainty)",
        origin: fileOf('TAB6685'),
      },
    ]);
    expect(added(mutated('TAB6571', (e) => (e.cellKeyFrom = 2024))).map((x) => x.message)).toEqual([
      "cellKeyFrom 2024, but SCB's notes give the cell-key method from reference year 2025",
    ]);
  });

  it('unconfirmed: confirmed false in the catalogue, or metadata reconstructed rather than received', () => {
    expect(added(mutated('TAB6684', (e) => (e.confirmed = false)))).toEqual([
      { table: 'TAB6684', severity: 'warning', message: "unconfirmed: data/sources.json marks it confirmed: false, but this metadata is SCB's own answer; set confirmed: true once nothing else here is wrong", origin: fileOf('TAB6684') },
    ]);
    const reconstructed = (id: string): TableMetadata | undefined => {
      const m = metadataOf(id);
      return id === 'TAB6684' && m ? { ...m, reconstructed: true } : m;
    };
    expect(added(shipped, reconstructed).map((x) => [x.severity, x.message])).toEqual([
      [
        'warning',
        'unconfirmed: its metadata is reconstructed from third-party code, not received from SCB; yet data/sources.json marks it confirmed; check it with "segfollow sources --check --live"',
      ],
    ]);
  });

  it('several problems in one entry each get a line of their own', () => {
    const p = added(
      mutated('TAB6680', (e) => {
        e.years = [2019, 2024];
        delete e.variables.Alder;
        e.variables.Kon = { '1+2': 'totalt', T: 'totalt' };
      }),
    );
    expect(p.map((x) => [x.variable, x.code, x.severity])).toEqual([
      ['Kon', 'T', 'error'],
      ['Alder', undefined, 'error'],
      ['Tid', undefined, 'error'],
    ]);
  });
});

describe('checkCatalogue: Kolada KPIs against stored KPI metadata', () => {
  const kpi = (id: string, over: Record<string, unknown> = {}): StoredKpiMetadata => ({
    origin: `data/metadata/kolada/${id}.json`,
    kpis: [{ id, title: shipped.kolada.find((k) => k.id === id)?.title ?? '', municipality_type: 'A', publ_period: '2024', ...over }],
  });
  const crime: IndicatorDef = {
    id: 'reported_crime_per_1000',
    policy_area: 'brottslighet',
    title_sv: 'Anmälda brott per 1 000 invånare',
    title_en: 'Reported crimes per 1,000 inhabitants',
    definition: '-',
    population: '-',
    unit: 'per 1 000 invånare',
    higher_is_better: false,
    lag_years: 1,
    levels: ['riket', 'lan', 'kommun'],
    years: [2017, 2025],
    source: 'Kolada N07540',
    method: { sql: 'indicators/kolada_value', kpi: 'N07540', scale: 0.01 },
    caveats: [],
  };
  const indicators: IndicatorCatalogue = { disclosure: { threshold_default: 50, rule: 'suppressed' }, indicators: [crime] };
  const kolada = (kpiOf: (id: string) => StoredKpiMetadata | undefined, ind?: IndicatorCatalogue): CatalogueProblem[] =>
    checkCatalogue({ pxweb: [], kolada: shipped.kolada.filter((k) => k.id === 'N07540') }, metadataOf, { kpiOf, ...(ind ? { indicators: ind } : {}) });

  it('a missing file is a warning', () => {
    expect(kolada(() => undefined)).toEqual([
      { table: 'N07540', severity: 'warning', message: 'no stored KPI metadata (data/metadata/kolada/N07540.json): the id, its levels and its last year are not checked', origin: 'data/sources.json' },
    ]);
  });

  it('a file that does not hold the KPI is an error', () => {
    expect(kolada(() => ({ origin: 'data/metadata/kolada/N07540.json', kpis: [{ id: 'N07541' }] }))).toEqual([
      { table: 'N07540', severity: 'error', message: 'not in its stored KPI metadata (the file holds N07541)', origin: 'data/metadata/kolada/N07540.json' },
    ]);
  });

  it('a kommun-only KPI (K) read for län and riket is a warning naming the indicator', () => {
    expect(kolada(() => kpi('N07540', { municipality_type: 'K' }), indicators)).toEqual([
      {
        table: 'N07540',
        severity: 'warning',
        message: 'municipality_type K: Kolada publishes it for kommun, but reported_crime_per_1000 expects riket, lan values',
        origin: 'data/metadata/kolada/N07540.json',
      },
    ]);
    // Type A holds every level; kommun alone asks nothing of a K KPI.
    expect(kolada(() => kpi('N07540'), indicators)).toEqual([]);
    expect(kolada(() => kpi('N07540', { municipality_type: 'K' }), { ...indicators, indicators: [{ ...crime, levels: ['kommun'] }] })).toEqual([]);
  });

  it('a newer published period, an ended KPI and a changed title are warnings', () => {
    expect(kolada(() => kpi('N07540', { publ_period: '2026' })).map((p) => p.message)).toEqual(["newer data published: 2026 (the catalogue's years end 2025)"]);
    expect(kolada(() => kpi('N07540', { title: 'Anmälda brott totalt, antal/100 000 inv (-2021)' })).map((p) => p.message)).toEqual([
      'ended in Kolada: its title is "Anmälda brott totalt, antal/100 000 inv (-2021)" (no data after 2021); the catalogue expects 2016–2025',
    ]);
    expect(kolada(() => kpi('N07540', { title: 'Anmälda brott, antal/100 000 inv' })).map((p) => p.message)).toEqual([
      'Kolada\'s title is "Anmälda brott, antal/100 000 inv", the catalogue\'s "Anmälda brott totalt, antal/100 000 inv"',
    ]);
  });
});

describe('checkCatalogue: indicators against the source catalogue', () => {
  const base: IndicatorDef = {
    id: 'employment_test',
    policy_area: 'arbete',
    title_sv: 'Sysselsättningsgrad',
    title_en: 'Employment rate',
    definition: '-',
    population: '-',
    unit: 'procent',
    higher_is_better: true,
    lag_years: 1,
    levels: ['deso'],
    years: [2020, 2024],
    source: 'SCB TAB6680',
    method: {
      sql: 'indicators/share_from_counts',
      tables: ['TAB6680'],
      numerator: { measure: '0000089X', breakdowns: ['Alder=20-64;Kon=1+2'] },
      denominator: { measure: '0000089Y', breakdowns: ['Alder=20-64;Kon=1+2'] },
    },
    caveats: [],
  };
  const check = (change: (m: Extract<IndicatorDef['method'], { sql: 'indicators/share_from_counts' }>) => void): CatalogueProblem[] => {
    const ind = structuredClone(base);
    if (ind.method.sql !== 'indicators/share_from_counts') throw new Error('unreachable');
    change(ind.method);
    const cat = { pxweb: shipped.pxweb.filter((t) => t.id === 'TAB6680'), kolada: [] };
    return checkCatalogue(cat, metadataOf, { indicators: { disclosure: { threshold_default: 50, rule: '' }, indicators: [ind] } });
  };

  it('a well-formed indicator passes', () => {
    expect(check(() => undefined)).toEqual([]);
  });

  it('a table data/sources.json does not list (one problem; its measures are not blamed as well)', () => {
    const missing = [{ table: 'TAB6679', severity: 'error', message: 'indicator employment_test: reads TAB6679, which data/sources.json does not list', origin: 'data/indicators.json' }];
    expect(check((m) => (m.tables = ['TAB6680', 'TAB6679']))).toEqual(missing);
    const p = check((m) => {
      m.tables = ['TAB6679'];
      m.numerator.measure = '000008A9';
    });
    expect(p).toEqual(missing);
  });

  it('a measure that is not a listed ContentsCode', () => {
    expect(check((m) => (m.numerator.measure = '0000089Q'))).toEqual([
      {
        table: 'TAB6680',
        variable: 'ContentsCode',
        code: '0000089Q',
        severity: 'error',
        message: 'indicator employment_test: numerator measure 0000089Q is not a ContentsCode data/sources.json lists for TAB6680',
        origin: 'data/indicators.json',
      },
    ]);
  });

  it('a breakdown variable or code the source does not list, once per table however many breakdowns share it', () => {
    expect(check((m) => (m.numerator.breakdowns = ['Alder=20-64;Kon=1']))).toEqual([
      {
        table: 'TAB6680',
        variable: 'Kon',
        code: '1',
        severity: 'error',
        message: 'indicator employment_test: Kon=1 is not a code data/sources.json lists for TAB6680 (it lists 1+2) (breakdown numerator "Alder=20-64;Kon=1")',
        origin: 'data/indicators.json',
      },
    ]);
    const p = check((m) => {
      m.numerator.breakdowns = ['Alder=20-64;Kon=1+2;UtlBakgrund=1'];
      m.denominator.breakdowns = ['Alder=20-64;Kon=1+2;UtlBakgrund=1', 'Alder=20-64;Kon=1+2;UtlBakgrund=2', 'Alder=20-64;Kon=1+2;UtlBakgrund=SA'];
    });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ table: 'TAB6680', variable: 'UtlBakgrund', severity: 'error' });
    expect(p[0]?.message).toBe(
      'indicator employment_test: UtlBakgrund is not a variable data/sources.json lists for TAB6680 (breakdowns numerator "Alder=20-64;Kon=1+2;UtlBakgrund=1", denominator "Alder=20-64;Kon=1+2;UtlBakgrund=1" and 2 more)',
    );
  });

  it('a breakdown that leaves out a variable, names a column of its own, or is not sorted matches no cell', () => {
    expect(check((m) => (m.numerator.breakdowns = ['Kon=1+2'])).map((p) => p.message)).toEqual([
      'indicator employment_test: Alder left out: ingest writes every variable of TAB6680 into a breakdown, so it matches no cell (breakdown numerator "Kon=1+2")',
    ]);
    expect(check((m) => (m.numerator.breakdowns = ['Alder=20-64;Kon=1+2;Tid=2020'])).map((p) => [p.variable, p.message])).toEqual([
      ['Tid', 'indicator employment_test: Tid is a column of its own, never part of a breakdown (breakdown numerator "Alder=20-64;Kon=1+2;Tid=2020")'],
    ]);
    expect(check((m) => (m.numerator.breakdowns = ['Kon=1+2;Alder=20-64'])).map((p) => p.message)).toEqual([
      'indicator employment_test: variables not sorted as ingest writes them, so it matches no cell (breakdown numerator "Kon=1+2;Alder=20-64")',
    ]);
  });

  it('a Kolada indicator whose KPI data/sources.json does not list', () => {
    const ind: IndicatorDef = { ...base, id: 'crime', method: { sql: 'indicators/kolada_value', kpi: 'N99999', scale: 1 } };
    expect(checkCatalogue({ pxweb: [], kolada: [] }, metadataOf, { indicators: { disclosure: { threshold_default: 50, rule: '' }, indicators: [ind] } })).toEqual([
      { table: 'N99999', severity: 'error', message: 'indicator crime: reads Kolada N99999, which data/sources.json does not list', origin: 'data/indicators.json' },
    ]);
  });
});
