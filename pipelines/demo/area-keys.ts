import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './emulator-pxweb.ts';
import type { DemoWorld } from './world.ts';

/**
 * The demo counterparts of SCB's key files (the DeSO→RegSO "kopplingstabell" and "DeSO historiska
 * förändringar"), as CSV: file name → text. SCB publishes these as XLSX on scb.se; the pipeline reads either
 * layout (README "Area keys"), and the demo serves the project's CSV one.
 */
export function areaKeyFiles(world: DemoWorld): Record<string, string> {
  const regsoName = new Map<string, string>();
  for (const a of world.areas) if (a.level === 'regso') regsoName.set(`${a.code}|${a.version}`, a.name);
  const keyRows = ['deso_code,deso_version,regso_code,regso_version,regso_name,kommun_code'];
  for (const a of world.areas) {
    if (a.level !== 'deso' || !a.regso_code) continue;
    const regsoVersion = a.version === 'DeSO2025' ? 'RegSO2025' : 'RegSO2020';
    const name = regsoName.get(`${a.regso_code}|${regsoVersion}`) ?? a.regso_code;
    keyRows.push([a.code, a.version, a.regso_code, regsoVersion, csvField(name), a.kommun_code ?? ''].join(','));
  }
  const cwRows = ['from_code,from_version,to_code,to_version,weight'];
  for (const c of world.crosswalk) cwRows.push([c.from_code, c.from_version, c.to_code, c.to_version, String(c.weight)].join(','));
  return { 'deso-regso.csv': keyRows.join('\n') + '\n', 'deso-crosswalk.csv': cwRows.join('\n') + '\n' };
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The key files as a static file server on scb.se serves them: each with a strong ETag (a hash of its body) and a
 * Last-Modified date, and conditional GETs (If-None-Match, If-Modified-Since) answered 304 Not Modified with no
 * body when the file has not changed (RFC 9110 §13.1–13.2). Replacing a file (`set`, tests of a new SCB key) gives
 * it a new ETag and a later Last-Modified, as saving a new file would.
 */
export class StaticKeyFiles {
  private files: Map<string, { body: string; etag: string; modified: Date }> | undefined;

  constructor(private readonly world: DemoWorld) {}

  /** The reply to `method` on file `name` with the request's headers, or undefined when there is no such file. */
  serve(name: string, method: string, headers: IncomingHttpHeaders): Reply | undefined {
    const f = this.all().get(name);
    if (f === undefined || method !== 'GET') return undefined;
    const validators = { ETag: f.etag, 'Last-Modified': f.modified.toUTCString() };
    if (notModified(f.etag, f.modified, headers)) return { status: 304, contentType: 'text/csv; charset=utf-8', body: '', headers: validators };
    return { status: 200, contentType: 'text/csv; charset=utf-8', body: f.body, headers: validators };
  }

  /** Replaces (or adds) a file: new ETag, Last-Modified now (and always later than before). */
  set(name: string, body: string, now = new Date()): void {
    const files = this.all();
    const before = files.get(name)?.modified.getTime() ?? 0;
    const modified = new Date(Math.max(Math.floor(now.getTime() / 1000) * 1000, before + 1000));
    files.set(name, { body, etag: etagOf(body), modified });
  }

  private all(): Map<string, { body: string; etag: string; modified: Date }> {
    // A fixed date for the files as the world has them (SCB's keys of 2026-03-25), so that a demo emulator started
    // anew for each run serves the same validators: an unchanged file is 304 from one run to the next.
    this.files ??= new Map(Object.entries(areaKeyFiles(this.world)).map(([name, body]) => [name, { body, etag: etagOf(body), modified: new Date('2026-03-25T07:00:00Z') }]));
    return this.files;
  }
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}

/**
 * RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison, `*` matches any file) and If-Modified-Since
 * is then ignored; otherwise If-Modified-Since, a valid date not before Last-Modified, means unchanged.
 */
function notModified(etag: string, modified: Date, headers: IncomingHttpHeaders): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(modified.getTime() / 1000) * 1000 <= since;
}
