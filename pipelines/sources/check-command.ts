/**
 * `segfollow sources --check [--live [--update]] [--json]`: the catalogue against SCB's table metadata, one line
 * per problem on stdout, then a summary line; exit 1 if any problem is an error, else 0.
 *
 * Offline (default) it reads the stored copies in data/metadata/scb. With --live it fetches every catalogue
 * table's metadata from SCB (`{scbBaseUrl}/tables/{id}/metadata?lang=en`, through the PxWeb client: throttled,
 * retried, failures naming the URL), checks the catalogue against those and prints what changed since the stored
 * copy; --update then rewrites the stored copies (Region cut as before, written atomically). Kolada KPIs are
 * checked against data/metadata/kolada/<KPI>.json where it exists, also with --live.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { loadIndicators, loadSources } from '../catalogue.ts';
import type { Context } from '../context.ts';
import { SourceError } from '../errors.ts';
import type { TextSink } from '../log.ts';
import { checkCatalogue, type CatalogueProblem, type KpiMetadata, type StoredKpiMetadata } from './check-catalogue.ts';
import { diffMetadata, type MetadataChange } from './diff-metadata.ts';
import { storedMetadataText, writeFileAtomic } from './metadata-file.ts';
import { pxConfig, pxMetadata } from './pxweb.ts';
import { loadStoredMetadata, parseTableMetadata, type TableMetadata } from './table-metadata.ts';

export interface SourcesCheckOptions {
  live: boolean;
  update: boolean;
  json: boolean;
}

export interface SourcesCheckResult {
  mode: 'stored' | 'live';
  problems: CatalogueProblem[];
  changes: MetadataChange[];
  /** Stored copies rewritten (--update), as paths relative to the root where they lie under it. */
  updated: string[];
  /** Reconstructed copies removed because SCB's answer replaced them (--update). */
  removed: string[];
  errors: number;
  warnings: number;
}

/** Problems standing in for a table or KPI whose metadata could not be read: the generic "no metadata" goes. */
const NO_METADATA = /^no (SCB metadata|stored KPI metadata)\b/;

export async function runSourcesCheck(ctx: Context, opts: SourcesCheckOptions, stdout: TextSink): Promise<number> {
  const { config } = ctx;
  const cat = loadSources(config.dataDir);
  const indicators = loadIndicators(config.dataDir);
  const failures: CatalogueProblem[] = [];
  const changes: MetadataChange[] = [];
  const updated: string[] = [];
  const removed: string[] = [];
  const rel = (p: string): string => {
    if (!isAbsolute(p)) return p;
    const r = relative(config.root, p);
    return r.startsWith('..') || isAbsolute(r) ? p : r.split('\\').join('/');
  };

  const storedOf = (id: string): TableMetadata | undefined => {
    try {
      return loadStoredMetadata(config.dataDir, id);
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      failures.push({ table: id, severity: 'error', message: e.message });
      return undefined;
    }
  };

  const metadata = new Map<string, TableMetadata | undefined>();
  if (!opts.live) {
    for (const t of cat.pxweb) if (!metadata.has(t.id)) metadata.set(t.id, storedOf(t.id));
  } else {
    const base = config.scbBaseUrl;
    // Unreachable server or unusable /config: nothing to check against; the error names the URL (exit 1).
    await pxConfig(ctx, base);
    ctx.log.info(`sources --check --live: reading the metadata of ${cat.pxweb.length} tables from ${base}`);
    for (const t of cat.pxweb) {
      if (metadata.has(t.id)) continue;
      let live: TableMetadata;
      let body: string;
      try {
        const m = await pxMetadata(ctx, base, t.id, { lang: 'en' });
        body = m.raw.body.toString('utf8');
        live = parseTableMetadata(JSON.parse(body) as unknown, t.id, m.raw.url);
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        failures.push({ table: t.id, severity: 'error', message: e.message });
        metadata.set(t.id, undefined);
        continue;
      }
      metadata.set(t.id, live);
      const stored = storedOf(t.id);
      changes.push(...diffMetadata(stored, live));
      if (opts.update) {
        const dir = join(config.dataDir, 'metadata', 'scb');
        const file = join(dir, `${t.id}.json`);
        const text = storedMetadataText(body, t.id, live.origin);
        if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
          mkdirSync(dir, { recursive: true });
          writeFileAtomic(file, text);
          updated.push(rel(file));
        }
        // SCB's answer replaces a reconstruction (git keeps the evidence it was built from).
        const reconstructed = join(dir, `${t.id}.reconstructed.json`);
        if (existsSync(reconstructed)) {
          unlinkSync(reconstructed);
          removed.push(rel(reconstructed));
        }
      }
    }
  }

  const kpiOf = (id: string): StoredKpiMetadata | undefined => {
    const file = join(config.dataDir, 'metadata', 'kolada', `${id}.json`);
    if (!existsSync(file)) return undefined;
    try {
      return { origin: file, kpis: kpisIn(JSON.parse(readFileSync(file, 'utf8')) as unknown) };
    } catch (e) {
      failures.push({ table: id, severity: 'error', message: `${file}: cannot read Kolada KPI metadata (${(e as Error).message})` });
      return undefined;
    }
  };

  const checked = checkCatalogue(cat, (id) => metadata.get(id), { indicators, kpiOf });
  const failed = new Set(failures.map((f) => f.table));
  const problems = [...failures, ...checked.filter((p) => !(failed.has(p.table) && p.variable === undefined && NO_METADATA.test(p.message)))].map((p) =>
    p.origin !== undefined ? { ...p, origin: rel(p.origin) } : p,
  );
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const result: SourcesCheckResult = { mode: opts.live ? 'live' : 'stored', problems, changes, updated, removed, errors, warnings };

  if (opts.json) {
    stdout.write(JSON.stringify(result) + '\n');
  } else {
    const lines = [
      ...problems.map(problemLine),
      ...changes.map((c) => `CHANGED ${c.table}${c.variable !== undefined ? ` ${c.variable}` : ''}: ${c.message}`),
      ...updated.map((f) => `UPDATED ${f}`),
      ...removed.map((f) => `REMOVED ${f} (replaced by SCB's answer)`),
    ];
    const against = opts.live ? `SCB's live metadata (${config.scbBaseUrl})` : `the stored metadata (${rel(join(config.dataDir, 'metadata', 'scb'))})`;
    const extra = opts.live ? `; ${changes.length} change${changes.length === 1 ? '' : 's'} since the stored copies${opts.update ? `, ${updated.length} file${updated.length === 1 ? '' : 's'} updated` : ''}` : '';
    lines.push(
      `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}: ${cat.pxweb.length} SCB tables checked against ${against}, ${cat.kolada.length} Kolada KPIs, ${indicators.indicators.length} indicators${extra}`,
    );
    stdout.write(lines.join('\n') + '\n');
  }
  return errors > 0 ? 1 : 0;
}

/** `ERROR TAB6680 Tid: 2017, 2018, 2019 not published (2020–2024) [data/metadata/scb/TAB6680.json]` */
export function problemLine(p: CatalogueProblem): string {
  const where = p.variable !== undefined ? ` ${p.variable}${p.code !== undefined ? `=${p.code}` : ''}` : '';
  return `${p.severity === 'error' ? 'ERROR' : 'WARNING'} ${p.table}${where}: ${p.message}${p.origin !== undefined ? ` [${p.origin}]` : ''}`;
}

/** The KPI objects of a stored Kolada file: a v3 `/kpi` answer (`{values: [...]}`), a list, or one KPI object. */
function kpisIn(doc: unknown): KpiMetadata[] {
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null && Array.isArray((doc as { values?: unknown }).values) ? (doc as { values: unknown[] }).values : [doc];
  return list
    .filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null && typeof (k as { id?: unknown }).id === 'string')
    .map((k) => ({
      id: String(k.id),
      ...(typeof k.title === 'string' ? { title: k.title } : {}),
      ...(typeof k.municipality_type === 'string' ? { municipality_type: k.municipality_type } : {}),
      ...(k.publ_period !== undefined && k.publ_period !== null ? { publ_period: String(k.publ_period) } : {}),
    }));
}
