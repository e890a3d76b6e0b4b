import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { exec, execFile, inTransaction, queryFile } from '../db.ts';
import { loadOfficialAreas } from '../areas/load-official-areas.ts';
import { httpRequest, type RawResponse } from '../sources/http.ts';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SourceError } from '../errors.ts';
import { storeRaw, readRaw, sha256 } from './raw-cache.ts';

export interface AreasResult {
  areas: number;
  crosswalk: number;
}

const KEYS = { regso: 'deso-regso.csv', crosswalk: 'deso-crosswalk.csv' } as const;

/**
 * Builds the area register: riket, the 21 län and 290 kommuner from the project's official lists, DeSO and
 * RegSO (both vintages) from the DeSO→RegSO key, and the DeSO 2018→2025 crosswalk. The keys come over HTTP
 * like every other source (stored under their hash with a source_fetch row), or from the cache with --offline.
 */
export async function buildAreas(ctx: Context, conn: DuckDBConnection, runId: string): Promise<AreasResult> {
  const official = loadOfficialAreas(ctx.config.dataDir);
  const keyText = await fetchKey(ctx, conn, runId, KEYS.regso);
  const cwText = await fetchKey(ctx, conn, runId, KEYS.crosswalk);

  const areaRows: (string | null)[][] = [['00', 'riket', 'riket', 'Riket', null, null, null]];
  for (const l of official.lan) areaRows.push([l.code, 'lan', 'lan1998', l.name, null, l.code, null]);
  for (const k of official.kommuner) areaRows.push([k.code, 'kommun', 'kommun2003', k.name, k.code, k.lan_code, null]);
  const kommunNames = new Map(official.kommuner.map((k) => [k.code, k.name]));

  const key = parseCsv(keyText, KEYS.regso, ['deso_code', 'deso_version', 'regso_code', 'regso_version', 'regso_name', 'kommun_code']);
  for (const [i, r] of key.entries()) {
    const [deso = '', desoVersion = '', regso = '', regsoVersion = '', regsoName = '', kommun = ''] = r;
    if (!kommunNames.has(kommun)) throw new SourceError(`${KEYS.regso} row ${i + 2}: unknown kommun code "${kommun}"`);
    if (deso.slice(0, 4) !== kommun || regso.slice(0, 4) !== kommun) throw new SourceError(`${KEYS.regso} row ${i + 2}: DeSO ${deso} / RegSO ${regso} do not lie in kommun ${kommun}`);
    const lan = kommun.slice(0, 2);
    areaRows.push([deso, 'deso', desoVersion, deso, kommun, lan, regso]);
    areaRows.push([regso, 'regso', regsoVersion, regsoName, kommun, lan, regso]);
  }
  const cw = parseCsv(cwText, KEYS.crosswalk, ['from_code', 'from_version', 'to_code', 'to_version', 'weight']);

  await inTransaction(conn, async () => {
    await exec(conn, 'CREATE OR REPLACE TEMP TABLE area_stage AS SELECT * FROM area LIMIT 0; CREATE OR REPLACE TEMP TABLE crosswalk_stage AS SELECT * FROM area_crosswalk LIMIT 0;');
    const a = await conn.createAppender('area_stage', 'main', 'temp');
    for (const row of areaRows) {
      for (const v of row) {
        if (v === null) a.appendNull();
        else a.appendVarchar(v);
      }
      a.endRow();
    }
    a.closeSync();
    const c = await conn.createAppender('crosswalk_stage', 'main', 'temp');
    for (const [i, r] of cw.entries()) {
      const w = Number(r[4]);
      if (!Number.isFinite(w) || w < 0 || w > 1) throw new SourceError(`${KEYS.crosswalk} row ${i + 2}: weight "${r[4]}" is not a number in 0–1`);
      for (const v of r.slice(0, 4)) c.appendVarchar(v);
      c.appendDouble(w);
      c.endRow();
    }
    c.closeSync();
    await execFile(conn, 'staging/replace_areas');
  });
  ctx.log.info('area register built', { areas: areaRows.length, crosswalk: cw.length });
  return { areas: areaRows.length, crosswalk: cw.length };
}

async function fetchKey(ctx: Context, conn: DuckDBConnection, runId: string, file: string): Promise<string> {
  if (ctx.config.offline) {
    const [row] = await queryFile(conn, 'staging/latest_fetches', { table_id: file });
    if (!row) throw new SourceError(`offline: no cached copy of the area key ${file}; run once online first`);
    return readRaw(ctx.config.rawDir, String(row.sha256)).toString('utf8');
  }
  const url = `${ctx.config.areaKeysUrl}/${file}`;
  const raw = url.startsWith('file:') ? readLocalKey(ctx, url) : await httpRequest(ctx, { url, method: 'GET' }, { source: 'SCB area keys', tableId: file, expectJson: false });
  storeRaw(ctx.config.rawDir, raw.body);
  await execFile(conn, 'staging/insert_fetch', {
    fetch_id: `${runId}-key-${file}`,
    run_id: runId,
    source: 'SCB',
    table_id: file,
    method: 'GET',
    request: null,
    url,
    http_status: raw.status,
    fetched_at: raw.fetchedAt.toISOString(),
    sha256: sha256(raw.body),
    bytes: raw.body.length,
  });
  return raw.body.toString('utf8');
}

function readLocalKey(ctx: Context, url: string): RawResponse {
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new SourceError(`area key file not found: ${path}. Convert SCB's DeSO→RegSO key and DeSO history to the layout of README "Area keys", or point SEGFOLLOW_AREA_KEYS_URL at a mirror`);
  }
  return { url, method: 'GET', requestBody: null, status: 200, contentType: 'text/csv', body: readFileSync(path), fetchedAt: ctx.now() };
}

/** A strict reader for the key files' simple CSV (quoted fields allowed); names the file and row on errors. */
function parseCsv(text: string, file: string, header: string[]): string[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== header.join(',')) throw new SourceError(`${file}: expected header "${header.join(',')}", got "${lines[0] ?? ''}"`);
  return lines.slice(1).map((line, i) => {
    const fields: string[] = [];
    const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ''));
      if (re.lastIndex >= line.length) break;
    }
    if (fields.length !== header.length) throw new SourceError(`${file} row ${i + 2}: expected ${header.length} fields, got ${fields.length}`);
    return fields;
  });
}
