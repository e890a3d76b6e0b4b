/**
 * Maps and comparisons end to end over the tiny world served by the emulator on 127.0.0.1: the ingest stores
 * Kolada's municipality groups and the WFS outlines (cached, not asked again, re-read offline); the riket, län and
 * kommun PDFs carry their Kartor chapter (captions parsed back with pdf.js), the kommun's trend charts name their
 * län and riket lines and state its rank; the workbooks hold the maps' and comparisons' numbers.
 */
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, withConnection } from '../../pipelines/db.ts';
import { ALL_STAGES, runStages } from '../../pipelines/run.ts';
import { ingestReference, parseWfsPage, simplify } from '../../pipelines/sources/reference.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';
import { readPdfText } from '../helpers/pdf-text.ts';

let tiny: TinyPipeline;
let out: string;
const text: Record<string, string> = {};

beforeAll(async () => {
  tiny = await startTinyPipeline('maps');
  const config = { ...tiny.config, reports: ['riket', 'lan', 'kommun'], areas: ['01', '0180'] };
  await runStages(tiny.ctx(config), 'run', ALL_STAGES, ['--demo', '--reports', 'riket,lan,kommun', '--areas', '01,0180']);
  out = join(config.outDir, '2025');
  for (const f of ['riket-00', 'lan-01', 'kommun-0180']) text[f] = (await readPdfText(join(out, `segfollow-${f}-2025.pdf`))).pages.join(' ').replace(/\s+/gu, ' ');
}, 300_000);
afterAll(async () => {
  await tiny.emulator.close();
});

describe('ingest of the reference data', () => {
  it('stores every RegSO outline of both versions and the municipality groups, each cited by a stored response', async () => {
    const rows = await withConnection(tiny.config.warehouse, (conn) =>
      query(
        conn,
        `SELECT g.version, count(*)::INTEGER AS n, count(DISTINCT f.fetch_id)::INTEGER AS fetches
         FROM area_geometry g JOIN source_fetch f USING (fetch_id) GROUP BY g.version ORDER BY g.version`,
      ),
    );
    const regso = (v: string): number => tiny.world.areas.filter((a) => a.version === v).length;
    expect(rows.map((r) => [r.version, r.n])).toEqual([
      ['RegSO2020', regso('RegSO2020')],
      ['RegSO2025', regso('RegSO2025')],
    ]);
    const groups = await withConnection(tiny.config.warehouse, (conn) =>
      query(conn, "SELECT count(DISTINCT group_id)::INTEGER AS n FROM municipality_group g JOIN source_fetch f USING (fetch_id) WHERE f.source = 'Kolada' AND g.title LIKE 'Liknande kommuner, övergripande, Stockholm, %'"),
    );
    expect(groups[0]?.n).toBe(2);
  });

  it('a second online ingest asks neither again; offline re-reads them from data/raw', async () => {
    const before = tiny.emulator.requestLog.length;
    const ctx = tiny.ctx();
    await withConnection(tiny.config.warehouse, (conn) => ingestReference(ctx, conn, 'test-again'));
    const asked = tiny.emulator.requestLog.slice(before);
    expect(asked.filter((r) => r.includes('/geoserver/') || r.includes('municipality_groups'))).toEqual([]);
    await withConnection(tiny.config.warehouse, (conn) => query(conn, 'DELETE FROM area_geometry'));
    const r = await withConnection(tiny.config.warehouse, (conn) => ingestReference(tiny.ctx({ ...tiny.config, offline: true }), conn, 'test-offline'));
    expect(r.outlines['stat:RegSO_2025']).toBe(tiny.world.areas.filter((a) => a.version === 'RegSO2025').length);
    expect(tiny.emulator.requestLog.length).toBe(before);
  });
});

describe('maps in the PDFs', () => {
  it('riket: the kommuner by employment and D, with the class table', () => {
    const t = text['riket-00'] ?? '';
    expect(t).toContain('Kartor Kartorna visar kommunerna i Sverige efter sysselsättningsgrad 20–64 år (procent) och olikhetsindex D');
    expect(t).toMatch(/Figur \d+\. Kommuner i Sverige efter sysselsättningsgrad 20–64 år 20\d\d och olikhetsindex D, utländsk \/ svensk bakgrund 20\d\d\./);
    expect(t).toMatch(/Tabell \d+\. Färgklasserna i figur \d+/);
  });

  it('län: its kommuner', () => {
    expect(text['lan-01']).toMatch(/Figur \d+\. Kommuner i Stockholms län efter sysselsättningsgrad 20–64 år/);
  });

  it('kommun: its RegSO by area type and employment, the outlines said to be synthetic', () => {
    const t = text['kommun-0180'] ?? '';
    expect(t).toMatch(/Figur \d+\. RegSO i Stockholm efter områdestyp 20\d\d och sysselsättningsgrad 20–64 år 20\d\d\./);
    expect(t).toContain('Gränser: syntetiska RegSO-gränser inom kommunens verkliga gräns (demodata).');
  });
});

describe('comparisons in the kommun report', () => {
  it('the trend charts name the län and riket lines and state the rank with n', () => {
    const t = text['kommun-0180'] ?? '';
    // The small multiples' legend names the lines (checked below); the caption says what the grey band is.
    expect(t).toContain('Grått fält: lägsta till högsta värde bland 2 liknande kommuner (Kolada, Liknande kommuner, övergripande, Stockholm, 2025)');
    // Three kommuner in the tiny world, two of them in Stockholms län.
    expect(t).toMatch(/Plats 20\d\d \(1 = högst värde\): bland kommunerna i riket [1-3] av 3(?: \(delad med \d \w+\))?, i Stockholms län [12] av 2/);
    // The legend of the comparison lines is drawn on the page.
    expect(t).toContain('Stockholm Stockholms län Riket');
  });

  it('the workbook holds the maps, the comparison series and the ranks', async () => {
    const file = join(out, 'segfollow-kommun-0180-2025.xlsx');
    const sheets = new Map(((await readXlsxFile(file)) as { sheet: string; data: unknown[][] }[]).map((x) => [x.sheet, x.data]));
    for (const s of ['Jämförelser per år', 'Placering', 'Kartor']) expect([...sheets.keys()]).toContain(s);
    const areas = new Set((sheets.get('Jämförelser per år') ?? []).map((r) => r[2]));
    for (const a of ['Stockholm', 'Stockholms län', 'Riket', 'Liknande kommuner, median']) expect(areas).toContain(a);
    // Every RegSO of the kommun on both maps, with its type or value.
    const maps = sheets.get('Kartor') ?? [];
    const regso = tiny.world.areas.filter((a) => a.version === 'RegSO2025' && a.kommun_code === '0180').length;
    expect(maps.filter((r) => r[0] === 'Områdestyp')).toHaveLength(regso);
    const ranks = sheets.get('Placering') ?? [];
    expect(ranks.some((r) => r[0] === 'Sysselsättningsgrad 20–64 år' && r[4] === 3 && r[7] === 2)).toBe(true);
  });
});

describe('WFS pages as SCB could send them', () => {
  const page = (coords: number[][]): string =>
    JSON.stringify({ type: 'FeatureCollection', numberMatched: 1, features: [{ type: 'Feature', properties: { regsokod: '0180R001', kommunkod: '0180' }, geometry: { type: 'Polygon', coordinates: [coords] } }] });

  it('latitude-first pairs (WFS 2.0 EPSG:4326 axis order) are turned to longitude-first', () => {
    const p = parseWfsPage(page([[59.3, 18.0], [59.3, 18.1], [59.4, 18.1], [59.3, 18.0]]), 'u', 'regsokod');
    expect(p.features[0]?.geometry.coordinates[0]).toEqual([[18, 59.3], [18.1, 59.3], [18.1, 59.4], [18, 59.3]]);
  });

  it('metres (the native EPSG:3006, srsName ignored) and a missing code fail, naming the feature', () => {
    expect(() => parseWfsPage(page([[674000, 6580000], [675000, 6580000], [675000, 6581000], [674000, 6580000]]), 'u', 'regsokod')).toThrow(/features\[0\] \(0180R001\): coordinates 674000, 6580000 are not degrees; ask with srsName=EPSG:4326/);
    expect(() => parseWfsPage(page([[18, 59], [18.1, 59], [18.1, 59.1], [18, 59]]), 'u', 'desokod')).toThrow(/features\[0\]: property desokod missing/);
    expect(() => parseWfsPage('<ows:ExceptionReport/>', 'u', 'regsokod')).toThrow(/not GeoJSON/);
  });

  it('simplify drops points within the tolerance and keeps the ring closed', () => {
    const ring = [[0, 0], [1, 0.00001], [2, 0], [2, 2], [1, 2.00001], [0, 2], [0, 0]];
    expect(simplify(ring, 0.001)).toEqual([[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]);
    expect(simplify(ring, 0.000001)).toEqual(ring);
  });
});
