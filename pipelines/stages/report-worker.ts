/**
 * One report-rendering thread of the report stage (report-pool.ts): takes a finished ReportModel, writes its PDF,
 * HTML twin and workbook. Fonts, pdfmake, Vega and the chart hook are module state, so they load once per thread and serve every
 * report it renders.
 */
import { parentPort } from 'node:worker_threads';
import type { IndicatorDef } from '../catalogue.ts';
import { buildReportHtml } from '../report/build-html.ts';
import { buildReportPdf, type PdfOptions } from '../report/build-pdf.ts';
import type { ReportModel } from '../report/model.ts';
import { writeWorkbook } from '../report/workbook.ts';

export interface RenderJob {
  readonly id: number;
  readonly model: ReportModel;
  readonly catalogue: readonly IndicatorDef[];
  readonly pdfFile: string;
  readonly xlsxFile: string;
  readonly htmlFile: string;
  /** How the PDF is written (PDF/A-2a or PDF/UA-1 only; build-pdf.ts PdfOptions). */
  readonly pdf?: PdfOptions;
}

export type RenderReply =
  | { readonly id: number; readonly ok: true; readonly pages: number; readonly pdfBytes: number; readonly xlsxBytes: number; readonly htmlBytes: number }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly name: string; readonly exitCode?: number };

/** The work of one job; also what the stage runs in-process when a pool is not worth starting. */
export async function renderJob(job: RenderJob): Promise<{ pages: number; pdfBytes: number; xlsxBytes: number; htmlBytes: number }> {
  const pdf = await buildReportPdf(job.model, job.pdfFile, job.pdf);
  // The workbook beside the PDF: every table and chart's numbers of the same model (report/workbook.ts).
  const xlsx = await writeWorkbook(job.model, job.catalogue, job.xlsxFile);
  // The HTML twin: the same content tree as the PDF (report/build-html.ts).
  const html = await buildReportHtml(job.model, job.htmlFile);
  return { pages: pdf.pages, pdfBytes: pdf.bytes, xlsxBytes: xlsx.bytes, htmlBytes: html.bytes };
}

const port = parentPort;
if (port) {
  port.on('message', (job: RenderJob) => {
    renderJob(job).then(
      (r) => port.postMessage({ id: job.id, ok: true, ...r } satisfies RenderReply),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        const exitCode = (err as { exitCode?: unknown }).exitCode;
        port.postMessage({ id: job.id, ok: false, message: err.message, name: err.name, ...(typeof exitCode === 'number' ? { exitCode } : {}) } satisfies RenderReply);
      },
    );
  });
}
