import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayout, type LayoutCheck, type LayoutRule } from '../tests/helpers/pdf-layout.ts';

/**
 * Checks the layout of every report PDF in one or more folders (tests/helpers/pdf-layout.ts: headings and captions
 * ending a page, pages under 60 % full that are not a chapter's last, labels over labels, labels over lines or
 * marks), prints a summary and the findings, and exits 1 on any finding of the rules named by --fail-on (default:
 * all), 2 on a folder without PDFs or a PDF that cannot be read. Findings of other rules are printed all the same.
 *
 *   npx tsx scripts/check-layout.ts output/2025 [--json] [--jobs N] [--fail-on label-over-label,label-over-line]
 *
 * pdf.js takes about 50 ms a page on one core, so the files are shared among N child processes (default: the
 * machine's cores), each checking its share and answering in JSON.
 */
const RULES: LayoutRule[] = ['heading-at-page-end', 'page-under-filled', 'label-over-label', 'label-over-line'];
const SELF = fileURLToPath(import.meta.url);

class UnreadablePdf extends Error {}

async function checkFiles(files: string[]): Promise<LayoutCheck[]> {
  const out: LayoutCheck[] = [];
  for (const file of files) {
    try {
      out.push(await checkLayout(new Uint8Array(readFileSync(file)), { file }));
    } catch (err) {
      throw new UnreadablePdf(`${file}: not a readable PDF (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return out;
}

/** One child process (this script with --worker) over a share of the files. */
function inChild(files: string[]): Promise<LayoutCheck[]> {
  return new Promise((resolve, reject) => {
    // process.execArgv carries tsx's loader, so the child runs this TypeScript file the same way.
    const child = spawn(process.execPath, [...process.execArgv, SELF, '--worker', ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
    let json = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (json += s));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new UnreadablePdf(`a check of ${files.length} files exited with ${code}`));
      else resolve(JSON.parse(json) as LayoutCheck[]);
    });
  });
}

function pdfsIn(dirs: string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    if (!statSync(dir).isDirectory()) files.push(dir);
    else files.push(...readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.pdf')).sort().map((n) => join(dir, n)));
  }
  return files;
}

function report(checks: LayoutCheck[]): string {
  const findings = checks.flatMap((c) => c.findings);
  const pages = checks.reduce((s, c) => s + c.pages, 0);
  const count = (rule: LayoutRule, c: LayoutCheck[] = checks): number => c.flatMap((x) => x.findings).filter((f) => f.rule === rule).length;
  const out = [`check-layout: ${checks.length} files, ${pages} pages, ${findings.length} findings`];
  for (const rule of RULES) out.push(`  ${rule}: ${count(rule)}`);
  out.push('per file (heading-at-page-end / page-under-filled / label-over-label / label-over-line):');
  for (const c of checks) out.push(`  ${c.file}: ${c.pages} pages, ${RULES.map((r) => count(r, [c])).join(' / ')}`);
  if (findings.length) out.push('findings (coordinates in pt from the top left of the page):');
  for (const f of findings) {
    const what = f.rule === 'heading-at-page-end' || f.rule === 'page-under-filled' ? ` — "${f.text}"` : '';
    out.push(`  ${f.file} p${f.page} ${f.rule} at (${f.box.x}, ${f.box.y}) ${f.box.w}×${f.box.h}: ${f.detail}${what}`);
  }
  return `${out.join('\n')}\n`;
}

async function main(args: string[]): Promise<number> {
  if (args[0] === '--worker') {
    process.stdout.write(JSON.stringify(await checkFiles(args.slice(1))));
    return 0;
  }
  const json = args.includes('--json');
  const j = args.indexOf('--jobs');
  const jobs = j >= 0 ? Number(args[j + 1]) : availableParallelism();
  const f = args.indexOf('--fail-on');
  const failOn = f >= 0 ? (args[f + 1] ?? '').split(',') : RULES;
  const dirs = args.filter((a, i) => !a.startsWith('--') && !(j >= 0 && i === j + 1) && !(f >= 0 && i === f + 1));
  if (dirs.length === 0 || !Number.isInteger(jobs) || jobs < 1 || failOn.some((r) => !(RULES as string[]).includes(r))) {
    process.stderr.write(`usage: npx tsx scripts/check-layout.ts <folder or PDF>… [--json] [--jobs N] [--fail-on RULE,…] (rules: ${RULES.join(', ')})\n`);
    return 2;
  }
  let files: string[];
  try {
    files = pdfsIn(dirs);
  } catch (err) {
    process.stderr.write(`check-layout: cannot read ${dirs.join(', ')}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`check-layout: no PDF files in ${dirs.join(', ')}\n`);
    return 2;
  }
  let checks: LayoutCheck[];
  try {
    const n = Math.min(jobs, files.length);
    if (n === 1) checks = await checkFiles(files);
    else {
      // Round robin: report files come sorted by level and code, so each share gets big and small reports alike.
      const shares = Array.from({ length: n }, (_, k) => files.filter((_, i) => i % n === k));
      const parts = await Promise.all(shares.map(inChild));
      const byFile = new Map(parts.flat().map((c) => [c.file, c]));
      checks = files.map((f) => byFile.get(f) as LayoutCheck);
    }
  } catch (err) {
    process.stderr.write(`check-layout: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const findings = checks.reduce((s, c) => s + c.findings.filter((x) => failOn.includes(x.rule)).length, 0);
  process.stdout.write(json ? `${JSON.stringify({ files: checks.length, pages: checks.reduce((s, c) => s + c.pages, 0), checks }, null, 2)}\n` : report(checks));
  return findings > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
