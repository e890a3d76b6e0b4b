import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkLayout, type LayoutFinding, type LayoutRule } from '../tests/helpers/pdf-layout.ts';

/**
 * Checks the layout of every report PDF in a folder (tests/helpers/pdf-layout.ts: headings at a page's end, pages
 * under 60 % full, labels over labels or lines), prints a summary and the findings, and exits 1 on any finding,
 * 2 on a folder without PDFs or a PDF that cannot be read.
 *
 *   npx tsx scripts/check-layout.ts output/2025 [--json]
 */
const RULES: LayoutRule[] = ['heading-at-page-end', 'page-under-filled', 'label-over-label', 'label-over-line'];

async function main(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const dirs = args.filter((a) => !a.startsWith('--'));
  if (dirs.length === 0) {
    process.stderr.write('usage: npx tsx scripts/check-layout.ts <folder with report PDFs>… [--json]\n');
    return 2;
  }
  const files: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = statSync(dir).isDirectory() ? readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.pdf')).sort().map((n) => join(dir, n)) : [dir];
    } catch (err) {
      process.stderr.write(`check-layout: cannot read ${dir}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
    files.push(...names);
  }
  if (files.length === 0) {
    process.stderr.write(`check-layout: no PDF files in ${dirs.join(', ')}\n`);
    return 2;
  }
  const findings: LayoutFinding[] = [];
  let pages = 0;
  for (const file of files) {
    try {
      const r = await checkLayout(new Uint8Array(readFileSync(file)), { file });
      pages += r.pages;
      findings.push(...r.findings);
    } catch (err) {
      process.stderr.write(`check-layout: ${file}: not a readable PDF (${err instanceof Error ? err.message : String(err)})\n`);
      return 2;
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ files: files.length, pages, findings }, null, 2)}\n`);
  } else {
    const out: string[] = [`check-layout: ${files.length} files, ${pages} pages, ${findings.length} findings`];
    for (const rule of RULES) out.push(`  ${rule}: ${findings.filter((f) => f.rule === rule).length}`);
    for (const f of findings) {
      out.push(`${f.file} p${f.page} ${f.rule} at (${f.box.x}, ${f.box.y}) ${f.box.w}×${f.box.h} pt: ${f.detail}${f.rule === 'heading-at-page-end' || f.rule === 'page-under-filled' ? ` — "${f.text}"` : ''}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return findings.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
