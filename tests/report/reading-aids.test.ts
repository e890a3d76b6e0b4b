import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { dataLags, definitionLine, howToRead, nextDataYear, readingAids, scaleBand, segregationScale } from '../../pipelines/report/reading-aids.ts';
import { reportModelFixture } from '../fixtures/report-model.ts';

describe('the D scale (data/segregation-scale.json)', () => {
  const scale = segregationScale();

  it('names its source and puts values in bands, lower bound inclusive', () => {
    expect(scale.source).toContain('Massey');
    expect(scaleBand(0.12, scale)?.label_sv).toBe('låg');
    expect(scaleBand(0.3, scale)?.label_sv).toBe('måttlig');
    expect(scaleBand(0.599, scale)?.label_sv).toBe('måttlig');
    expect(scaleBand(0.6, scale)?.label_sv).toBe('hög');
    expect(scaleBand(1, scale)?.label_sv).toBe('hög');
    expect(scaleBand(1.2, scale)).toBeNull();
  });

  it('refuses a scale with a gap, naming the file and the band', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scale-'));
    const file = join(dir, 'segregation-scale.json');
    writeFileSync(file, JSON.stringify({ ...scale, bands: [{ from: 0, to: 0.3, label_sv: 'låg' }, { from: 0.4, to: 1, label_sv: 'hög' }] }));
    expect(() => segregationScale(file)).toThrow(/segregation-scale\.json: bands\[1\]: the bands must run from 0 to 1/);
  });
});

describe('howToRead', () => {
  const [d, h, x] = reportModelFixture().segregation;

  it('gives the scale, its source and the latest value’s band under a D chart', () => {
    if (!d) throw new Error('fixture without D');
    const s = howToRead(d);
    expect(s).toContain('Så läses diagrammet: D är den andel');
    expect(s).toContain('under 0,30 låg, 0,30–0,60 måttlig och 0,60 eller mer hög segregation (Massey och Denton 1993)');
    // The fixture's D is 0,471 in 2025.
    expect(s).toContain('Värdet 0,471 år 2025 ligger i bandet måttlig.');
  });

  it('says which way is more segregation for the other indices', () => {
    expect(howToRead(x ?? d!)).toContain('högre värde betyder mindre segregation');
    expect(howToRead(h ?? d!)).toContain('högre ju mer åtskilda');
  });
});

describe('data lags', () => {
  it('follows the series’ own rhythm (elections every fourth year) or the next year', () => {
    expect(nextDataYear([2018, 2022])).toBe(2026);
    expect(nextDataYear([2017, 2018, 2019, 2023])).toBe(2024);
    expect(nextDataYear([])).toBeNull();
  });

  it('lists each indicator with its latest year, source, lag and next year', () => {
    const rows = dataLags(reportModelFixture());
    const emp = rows.find((r) => r.title === 'Sysselsättningsgrad 20–64 år');
    expect(emp).toEqual({ title: 'Sysselsättningsgrad 20–64 år', latest_year: 2023, source: 'SCB TAB6680', lag: 2, next_year: 2024 });
    const turnout = rows.find((r) => r.title.startsWith('Valdeltagande'));
    expect(turnout?.latest_year).toBe(2022);
    expect(turnout?.next_year).toBe(2026);
  });

  it('makes a table block and the scale for the method chapter', () => {
    const blocks = readingAids(reportModelFixture(), '9.4');
    expect(blocks[0]).toEqual({ kind: 'h2', text: '9.4 Läshjälp: uppgifternas ålder och skalan för D' });
    const lagTable = blocks.find((b) => b.kind === 'table' && b.caption.startsWith('Uppgifternas ålder'));
    expect(lagTable && lagTable.kind === 'table' ? lagTable.rows.find((r) => r[0] === 'Sysselsättningsgrad 20–64 år') : null).toEqual(['Sysselsättningsgrad 20–64 år', '2023', '2', 'SCB TAB6680', '2024']);
    const intro = blocks.find((b) => b.kind === 'para');
    expect(intro && intro.kind === 'para' ? intro.text : '').toContain('För 8 av 10 indikatorer ligger det senaste året före rapportåret 2025.');
    expect(blocks.some((b) => b.kind === 'table' && b.caption === 'Skala för olikhetsindex D (Massey och Denton 1993)')).toBe(true);
  });
});

describe('definitionLine', () => {
  it('prints the definition, population and unit where the indicator is shown', () => {
    const s = definitionLine({ definition: 'Folkbokförda 20–64 år som är sysselsatta, i procent av alla folkbokförda 20–64 år', population: 'folkbokförda 20–64 år', unit: 'procent' });
    expect(s).toBe(
      'Definition: Folkbokförda 20–64 år som är sysselsatta, i procent av alla folkbokförda 20–64 år. Population: folkbokförda 20–64 år. ' +
        'Enhet: procent (procentenheter för förändringar).',
    );
  });

  it('gives the unit and price basis alone when the model has no definition', () => {
    expect(definitionLine({ unit: 'kronor', prices: { basis: 'constant', base_year: 2024 } })).toBe('Enhet: kronor, fasta priser (2024).');
  });

  it('has a definition and population for every catalogue indicator', () => {
    for (const ind of loadIndicators('data').indicators) {
      const s = definitionLine({ definition: ind.definition, population: ind.population, unit: ind.unit });
      expect(s, ind.id).toMatch(/^Definition: .+\. Population: .+\. Enhet: .+\.$/);
    }
  });
});
