/**
 * One report-rendering thread of the report stage (report-pool.ts): takes a finished ReportModel, writes its PDF,
 * HTML twin and workbook. Fonts, pdfmake, Vega and the chart hook are module state, so they load once per thread and serve every
 * report it renders.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { IndicatorDef } from '../catalogue.ts';
import { writeReportHtml } from '../report/build-html.ts';
import { buildReportPdf, reportDefinition, type PdfOptions } from '../report/build-pdf.ts';
import type { ReportModel } from '../report/model.ts';
import { writeWorkbook } from '../report/workbook.ts';
import { shareFontLayouts } from '../charts/pdf-font-cache.ts';
import { useReportFonts } from '../charts/fonts.ts';

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

/** Seconds of one report's rendering by step, for the stage's timing summary (bench/goals.ts reads the log). */
export interface RenderPhases {
  /** The content tree, every chart's Vega scenegraph included (build-pdf.ts reportDefinition). */
  readonly tree: number;
  readonly html: number;
  /** pdfmake layout, tagging and compaction, and the write. */
  readonly pdf: number;
  readonly xlsx: number;
  /**
   * CPU seconds this thread spent on the whole job (all four steps, garbage collection included), null where the
   * system does not say (not Linux). Unlike the wall times it does not grow when the machine is shared.
   */
  readonly cpu: number | null;
}

/**
 * CPU seconds used so far by the calling thread (Linux /proc/thread-self/stat, utime + stime in clock ticks of
 * 1/100 s), or null. Node 20 has no per-thread CPU clock; process.cpuUsage() sums every thread.
 */
export function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

export interface RenderOutcome {
  pages: number;
  pdfBytes: number;
  xlsxBytes: number;
  htmlBytes: number;
  phases: RenderPhases;
}

export type RenderReply =
  | ({ readonly id: number; readonly ok: true } & RenderOutcome)
  | {
      readonly id: number;
      readonly ok: false;
      readonly message: string;
      readonly name: string;
      readonly exitCode?: number;
      /** An operating-system error's fields (ENOSPC, EACCES…), so the stage maps it as it would in-process (errors.ts environmentError). */
      readonly errno?: { readonly code: string; readonly path?: string; readonly dest?: string; readonly syscall?: string };
    };

/** The work of one job; also what the stage runs in-process when a pool is not worth starting. */
export async function renderJob(job: RenderJob): Promise<RenderOutcome> {
  // Words shaped for one report serve the next (charts/pdf-font-cache.ts); once per thread.
  shareFontLayouts(useReportFonts().paths.normal);
  const c0 = threadCpuSeconds();
  const t0 = performance.now();
  // One content tree for both files: building it renders every chart, the costliest step after pdfmake's layout.
  const pages = { count: 0 };
  // Alternatives seldom taken are drawn only when the layout asks for one (buildReportPdf makes the tree again then).
  const dd = await reportDefinition(job.model, pages, { alternatives: 'later' });
  const t1 = performance.now();
  // The HTML twin first (report/build-html.ts): pdfmake mutates the tree as it lays it out.
  const html = await writeReportHtml(dd, job.htmlFile);
  const t2 = performance.now();
  const pdf = await buildReportPdf(job.model, job.pdfFile, job.pdf, { dd, pages });
  const t3 = performance.now();
  // The workbook beside the PDF: every table and chart's numbers of the same model (report/workbook.ts).
  const xlsx = await writeWorkbook(job.model, job.catalogue, job.xlsxFile);
  const t4 = performance.now();
  const c4 = threadCpuSeconds();
  const s = (a: number, b: number): number => (b - a) / 1000;
  return {
    pages: pdf.pages,
    pdfBytes: pdf.bytes,
    xlsxBytes: xlsx.bytes,
    htmlBytes: html.bytes,
    phases: { tree: s(t0, t1), html: s(t1, t2), pdf: s(t2, t3), xlsx: s(t3, t4), cpu: c0 === null || c4 === null ? null : c4 - c0 },
  };
}

const port = parentPort;
if (port) {
  port.on('message', (job: RenderJob) => {
    renderJob(job).then(
      (r) => port.postMessage({ id: job.id, ok: true, ...r } satisfies RenderReply),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        const exitCode = (err as { exitCode?: unknown }).exitCode;
        const { code, path, dest, syscall } = err as NodeJS.ErrnoException & { dest?: string };
        const errno = typeof code === 'string' ? { code, ...(path ? { path } : {}), ...(dest ? { dest } : {}), ...(syscall ? { syscall } : {}) } : undefined;
        port.postMessage({ id: job.id, ok: false, message: err.message, name: err.name, ...(typeof exitCode === 'number' ? { exitCode } : {}), ...(errno ? { errno } : {}) } satisfies RenderReply);
      },
    );
  });
}
