/**
 * What each source says about its latest release, asked before any data request: SCB's `updated` and `lastPeriod`
 * per table (`GET /tables/{id}`, TableResponse in PxAPI-2.yml) and Kolada's publication fields per KPI (`GET /kpi/{ids}`,
 * `publication_date`, `publ_period`, `prel_publication_date`). The ingest compares `released` with what it stored at
 * the last fetch and re-fetches only what changed; `segfollow sources --due` shows `latestPeriod`.
 */
import type { Context } from '../context.ts';
import { SourceError } from '../errors.ts';
import { koladaKpis } from './kolada.ts';
import { pxTableInfo } from './pxweb.ts';

export interface Release {
  source: 'SCB' | 'Kolada';
  id: string;
  /**
   * The release as a comparable text: SCB's `updated`; for Kolada the latest publication whose date has passed
   * (e.g. "2025 published 2026-03-31"), or, before the first one, the period and date still to come.
   */
  released: string;
  /** The latest year the source publishes now; null when it does not say. */
  latestPeriod: number | null;
  /** SCB says the table is no longer updated (null: not said; Kolada never says). */
  discontinued: boolean | null;
}

/** A source that answered 4xx about a table or KPI (404 Non-existent table): the caller decides what that means. */
export interface ReleaseRefused {
  source: 'SCB' | 'Kolada';
  id: string;
  refused: string;
}

export async function scbReleases(ctx: Context, ids: string[]): Promise<Map<string, Release | ReleaseRefused>> {
  const out = new Map<string, Release | ReleaseRefused>();
  for (const id of ids) {
    try {
      const t = await pxTableInfo(ctx, ctx.config.scbBaseUrl, id);
      const last = /^\d{4}/.exec(t.lastPeriod);
      if (t.updated === null) out.set(id, { source: 'SCB', id, refused: `${t.raw.url}: no "updated" in the answer` });
      else out.set(id, { source: 'SCB', id, released: t.updated, latestPeriod: last ? Number(last[0]) : null, discontinued: t.discontinued });
    } catch (e) {
      if (e instanceof SourceError && / answered 4\d\d/.test(e.message)) out.set(id, { source: 'SCB', id, refused: e.message });
      else throw e;
    }
  }
  return out;
}

export async function koladaReleases(ctx: Context, ids: string[]): Promise<Map<string, Release | ReleaseRefused>> {
  const out = new Map<string, Release | ReleaseRefused>();
  if (ids.length === 0) return out;
  const { values, raw } = await koladaKpis(ctx, ctx.config.koladaBaseUrl, ids);
  const today = ctx.now().toISOString().slice(0, 10);
  for (const id of ids) {
    const k = values.find((v) => v.id === id);
    if (!k) {
      out.set(id, { source: 'Kolada', id, refused: `Kolada: ${raw[0]?.url ?? ctx.config.koladaBaseUrl}: no KPI ${id} in the answer` });
      continue;
    }
    out.set(id, koladaRelease(id, k, today, raw[0]?.url ?? ''));
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * Kolada's KPI object names the period of its latest (or next) publication and the date it is (or was) published:
 * real KPI lists hold dates months ahead (N00009: publication_date 2027-02-24 for publ_period 2026). A date still to
 * come means that period is not out yet, so the latest period Kolada has now is the one before it. `released` changes
 * exactly when a date passes or Kolada changes the fields, which is when the data can have changed.
 */
export function koladaRelease(id: string, k: Record<string, unknown>, today: string, url: string): Release | ReleaseRefused {
  // Kolada leaves publ_period and the dates null for some KPIs: then it says nothing, and the KPI is fetched each time.
  if (k.publ_period === null || k.publ_period === undefined || k.publ_period === '') return { source: 'Kolada', id, refused: `Kolada: ${url}: KPI ${id} states no publ_period` };
  if (typeof k.publ_period !== 'string' || !/^\d{4}$/.test(k.publ_period)) throw new SourceError(`Kolada: ${url}: KPI ${id}: publ_period ${JSON.stringify(k.publ_period)} is not a year`);
  const period = Number(k.publ_period);
  const date = (key: string): string | null => {
    const v = k[key];
    if (v === null || v === undefined || v === '') return null;
    if (typeof v !== 'string' || !DATE.test(v)) throw new SourceError(`Kolada: ${url}: KPI ${id}: ${key} ${JSON.stringify(v)} is not a date (YYYY-MM-DD)`);
    return v.slice(0, 10);
  };
  const pub = date('publication_date');
  const prel = date('prel_publication_date');
  if (pub !== null && pub <= today) return { source: 'Kolada', id, released: `${period} published ${pub}`, latestPeriod: period, discontinued: null };
  if (prel !== null && prel <= today) return { source: 'Kolada', id, released: `${period} preliminary ${prel}`, latestPeriod: period, discontinued: null };
  return { source: 'Kolada', id, released: `${period - 1}; ${period} due ${pub ?? prel ?? 'unknown'}`, latestPeriod: period - 1, discontinued: null };
}
