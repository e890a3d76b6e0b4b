import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, query, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

const REF = new URL('../fixtures/reference/', import.meta.url);
const FB = 'Kon=1+2;UtlBakgrund=1';
const SB = 'Kon=1+2;UtlBakgrund=2';
const PARAMS = { table: 'TAB6571', measure: '000007Y4', focal_breakdown: FB, other_breakdown: SB, groups: 'fb/sb', focal: 'fb' };

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

/** Loads a reference two-group file as DeSO units of one kommun (codes 0180C0010, 0180C0020, …). */
async function loadReference(name: string, kommun = '0180', year = 2020): Promise<void> {
  const lines = readFileSync(new URL(`data/${name}.csv`, REF), 'utf8').trim().split('\n').slice(1);
  const rows: Parameters<typeof insertObservations>[1] = [];
  lines.forEach((line, i) => {
    const [, g1, g2] = line.split(',');
    const code = `${kommun}C${String((i + 1) * 10).padStart(4, '0')}`;
    rows.push(['TAB6571', '000007Y4', code, 'DeSO2018', year, FB, Number(g1), null]);
    rows.push(['TAB6571', '000007Y4', code, 'DeSO2018', year, SB, Number(g2), null]);
  });
  await insertObservations(wh.conn, rows);
}

function expectedD(name: string): number {
  const exp = JSON.parse(readFileSync(new URL(`expected/${name}.json`, REF), 'utf8')) as { records: { index: string; library: string; value: unknown; status: string }[] };
  const rec = exp.records.find((r) => r.index === 'D' && r.library === 'pysal' && r.status === 'ok');
  if (!rec || typeof rec.value !== 'number') throw new Error(`no pysal D for ${name}`);
  return rec.value;
}

const kommunD = async () => query(wh.conn, "SELECT value, n_units, total, status FROM segregation_index WHERE scope_level = 'kommun' AND scope_code = '0180'");

describe('sql/measures/dissimilarity.sql', () => {
  for (const name of ['hm_two_basic', 'hm_two_unequal', 'hm_two_zero_area']) {
    it(`equals pysal/rseg on ${name} to 1e-12`, async () => {
      await loadReference(name);
      await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
      const [row] = await kommunD();
      expect(row?.status).toBe('ok');
      expect(Math.abs(Number(row?.value) - expectedD(name))).toBeLessThan(1e-12);
    });
  }

  it('drops the empty unit from n_units (hm_two_zero_area: 6 areas, one empty)', async () => {
    await loadReference('hm_two_zero_area');
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    expect((await kommunD())[0]).toMatchObject({ n_units: 5, total: 255 });
  });

  it('returns single_unit and single_group as NULL with the reason (METHODS §2.2)', async () => {
    await loadReference('hm_two_single_area', '0180');
    await loadReference('hm_two_group_absent', '0181');
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    const rows = await query(wh.conn, "SELECT scope_code, value, status FROM segregation_index WHERE scope_level = 'kommun' ORDER BY 1");
    expect(rows).toEqual([
      { scope_code: '0180', value: null, status: 'single_unit' },
      { scope_code: '0181', value: null, status: 'single_group' },
    ]);
  });

  it('computes län and riket scopes over all their DeSO, and leaves out units missing at source', async () => {
    await loadReference('hm_two_basic', '0180');
    await loadReference('hm_two_basic', '0181');
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '0181C9990', 'DeSO2018', 2020, FB, null, '..'],
      ['TAB6571', '000007Y4', '0181C9990', 'DeSO2018', 2020, SB, 500, null],
    ]);
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    const rows = await query(wh.conn, 'SELECT scope_level, scope_code, value, n_units FROM segregation_index ORDER BY 1, 2');
    expect(rows.map((r) => [r.scope_level, r.scope_code, r.n_units])).toEqual([
      ['kommun', '0180', 4], ['kommun', '0181', 4], ['lan', '01', 8], ['riket', '00', 8],
    ]);
    for (const r of rows) expect(Math.abs(Number(r.value) - 0.6)).toBeLessThan(1e-12);
    await execFile(wh.conn, 'measures/delete_measure', { measure: 'D', groups: 'fb/sb' });
    expect(await query(wh.conn, 'SELECT * FROM segregation_index')).toEqual([]);
  });
});

describe('sql/measures/apply_disclosure_segregation.sql', () => {
  it('withholds indices over fewer persons than the threshold, keeping the row and its counts', async () => {
    await query(wh.conn, `INSERT INTO segregation_index VALUES
      ('D','g','f','kommun','2403','deso','DeSO2018',2020,0.2,0.05,0.1,0.3,2,40,'ok','T'),
      ('D','g','f','kommun','0180','deso','DeSO2018',2020,0.3,0.01,0.29,0.31,544,9e5,'ok','T'),
      ('D','g','f','kommun','2521','deso','DeSO2018',2020,NULL,NULL,NULL,NULL,1,30,'single_unit','T')`);
    await execFile(wh.conn, 'measures/apply_disclosure_segregation', { threshold: 50 });
    expect(await query(wh.conn, 'SELECT scope_code, value, expected, ci_low, n_units, total, status FROM segregation_index ORDER BY scope_code')).toEqual([
      { scope_code: '0180', value: 0.3, expected: 0.01, ci_low: 0.29, n_units: 544, total: 9e5, status: 'ok' },
      { scope_code: '2403', value: null, expected: null, ci_low: null, n_units: 2, total: 40, status: 'suppressed' },
      { scope_code: '2521', value: null, expected: null, ci_low: null, n_units: 1, total: 30, status: 'single_unit' },
    ]);
  });
});

describe('sql/measures/keep_sql_d.sql and sql/measures/compare_d.sql', () => {
  it('set the SQL D aside and report where another D for the same scopes disagrees', async () => {
    await loadReference('hm_two_basic');
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    await execFile(wh.conn, 'measures/keep_sql_d', { groups: 'fb/sb' });
    expect(await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' })).toEqual([]);
    // Another implementation's rows: equal but for rounding noise, then one value off.
    await query(wh.conn, "UPDATE segregation_index SET value = value + 1e-12 WHERE scope_level = 'lan'");
    expect(await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' })).toEqual([]);
    await query(wh.conn, "UPDATE segregation_index SET value = 0.5 WHERE scope_level = 'kommun'");
    const bad = await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' });
    expect(bad.map((r) => [r.scope_level, r.scope_code, r.engine_value])).toEqual([['kommun', '0180', 0.5]]);
    expect(Math.abs(Number(bad[0]?.sql_value) - 0.6)).toBeLessThan(1e-12);
    await query(wh.conn, "DELETE FROM segregation_index WHERE scope_level = 'riket'");
    expect((await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' })).map((r) => r.scope_level)).toEqual(expect.arrayContaining(['kommun', 'riket']));
  });
});
