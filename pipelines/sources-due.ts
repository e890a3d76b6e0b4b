/**
 * `segfollow sources --due`: the release watch. Per indicator and source, the latest year the warehouse holds, the
 * latest year the source publishes now (asked live: SCB's GET /tables/{id}, Kolada's GET /kpi; none with --offline)
 * and the year the report year expects from the indicator's publication lag, with the status the run's stale check
 * would give (pipelines/freshness.ts). The warehouse is opened read-only and never created. With --demo the CLI
 * starts the emulator and passes its URLs in the config.
 */
import type { Config } from './config.ts';
import type { Logger, TextSink } from './log.ts';
import type { Context } from './context.ts';
import { withReadOnlyConnection, execFile } from './db.ts';
import { loadSources } from './catalogue.ts';
import { indicatorFreshness, type IndicatorFreshness } from './freshness.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Release, ReleaseRefused } from './sources/release.ts';

export async function runSourcesDue(config: Config, log: Logger, opts: { json: boolean }, stdout: TextSink): Promise<number> {
  const ctx: Context = { config, log, fetch: globalThis.fetch, now: () => new Date() };
  let live: Map<string, Release | ReleaseRefused> | undefined;
  if (!config.offline) {
    const { scbReleases, koladaReleases } = await import('./sources/release.ts');
    const cat = loadSources(config.dataDir);
    live = new Map([...(await scbReleases(ctx, cat.pxweb.map((t) => t.id))), ...(await koladaReleases(ctx, cat.kolada.map((k) => k.id)))]);
  }
  const rows = await withReadOnlyConnection(config.warehouse, async (conn) => {
    if (conn) return indicatorFreshness(ctx, conn, live);
    // No warehouse yet: every warehouse year is missing (an empty in-memory warehouse gives exactly that).
    const mem = await DuckDBInstance.create(':memory:');
    const c = await mem.connect();
    try {
      await execFile(c, 'staging/schema');
      return await indicatorFreshness(ctx, c, live);
    } finally {
      c.closeSync();
      mem.closeSync();
    }
  });
  write(rows, config, opts.json, stdout);
  return 0;
}

function write(rows: IndicatorFreshness[], config: Config, json: boolean, stdout: TextSink): void {
  if (json) {
    stdout.write(JSON.stringify({ report_year: config.year, warehouse: config.warehouse, indicators: rows }) + '\n');
    return;
  }
  const y = (v: number | null): string => (v === null ? '-' : String(v));
  stdout.write(['indicator', 'source', 'warehouse_year', 'source_year', 'expected_year', 'status', 'note'].join('\t') + '\n');
  for (const r of rows) {
    const note = r.reason ?? (r.status === 'optional' ? 'rests on an unconfirmed source: never stops a run' : r.source_year !== null && r.warehouse_year !== null && r.source_year > r.warehouse_year ? 'newer data at the source: run to fetch it' : '');
    stdout.write([r.indicator, r.source, y(r.warehouse_year), y(r.source_year), String(r.expected_year), r.status, note].join('\t') + '\n');
  }
}
