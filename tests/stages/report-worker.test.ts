/**
 * One report's rendering on a report thread (pipelines/stages/report-worker.ts renderJob): the content tree is built
 * once and serves the HTML twin and then the PDF. The files must be byte for byte those the two builders write on
 * their own, each from its own tree (the PDF is deterministic for a model), so sharing the tree changes nothing a
 * reader gets.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { buildReportHtml } from '../../pipelines/report/build-html.ts';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';
import { writeWorkbook } from '../../pipelines/report/workbook.ts';
import { renderJob, type RenderOutcome } from '../../pipelines/stages/report-worker.ts';
import { reportModelFixture } from '../fixtures/report-model.ts';
import { readPdfText } from '../helpers/pdf-text.ts';

const DATA = new URL('../../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const model: ReportModel = reportModelFixture({ scope: { level: 'kommun', code: '0180', name: 'Stockholm' } });

let dir: string;
let outcome: RenderOutcome;
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segfollow-worker-'));
  outcome = await renderJob({ id: 0, model, catalogue: cat.indicators, pdfFile: file('job.pdf'), htmlFile: file('job.html'), xlsxFile: file('job.xlsx') });
  // The same model through each builder alone, each building its own tree.
  await buildReportPdf(model, file('alone.pdf'));
  await buildReportHtml(model, file('alone.html'));
  await writeWorkbook(model, cat.indicators, file('alone.xlsx'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('renderJob', () => {
  it('writes the PDF and HTML twin the builders write on their own, byte for byte', () => {
    for (const ext of ['pdf', 'html']) {
      const job = readFileSync(file(`job.${ext}`));
      expect(job.length, ext).toBeGreaterThan(1000);
      expect(job.equals(readFileSync(file(`alone.${ext}`))), `${ext} differs from the builder's own`).toBe(true);
    }
  });

  it('writes the workbook writeWorkbook writes: the same sheets with the same cells', async () => {
    // Read back, not byte for byte: the zip stamps each part with the time of writing.
    const job = (await readXlsxFile(file('job.xlsx'))) as { sheet: string; data: unknown[][] }[];
    const alone = (await readXlsxFile(file('alone.xlsx'))) as { sheet: string; data: unknown[][] }[];
    expect(job.length).toBeGreaterThan(2);
    expect(job.reduce((n, s) => n + s.data.length, 0)).toBeGreaterThan(50);
    expect(job).toEqual(alone);
  });

  it('reports the files as written: page count and sizes', async () => {
    expect(outcome.pdfBytes).toBe(readFileSync(file('job.pdf')).length);
    expect(outcome.htmlBytes).toBe(readFileSync(file('job.html')).length);
    expect(outcome.xlsxBytes).toBe(readFileSync(file('job.xlsx')).length);
    // The page count comes from pdfmake's layout of the shared tree: the file's own pages.
    expect(outcome.pages).toBeGreaterThan(3);
    expect(outcome.pages).toBe((await readPdfText(file('job.pdf'))).pages.length);
  });

  it('times each step of the report: tree, HTML, PDF and workbook', () => {
    for (const k of ['tree', 'html', 'pdf', 'xlsx'] as const) expect(outcome.phases[k], k).toBeGreaterThan(0);
  });

  it('measures the thread\'s CPU for the job where the system says (Linux), never more than the wall time', () => {
    const wall = outcome.phases.tree + outcome.phases.html + outcome.phases.pdf + outcome.phases.xlsx;
    if (process.platform !== 'linux') return expect(outcome.phases.cpu).toBeNull();
    // Clock ticks of 10 ms: a report takes far more than one.
    expect(outcome.phases.cpu).toBeGreaterThan(0.05);
    expect(outcome.phases.cpu).toBeLessThanOrEqual(wall + 0.02);
  });
});
