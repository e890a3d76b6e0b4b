/**
 * The three report kinds (riket, län, kommun) from the report-model fixture, each written tagged (PDF/UA-1 +
 * PDF/A-2a, the default), tagged without archiving (PDF/UA-1 only) and untagged (the comparison build), into a
 * temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReportPdf, type PdfOptions } from '../../../pipelines/report/build-pdf.ts';
import type { ReportModel } from '../../../pipelines/report/model.ts';
import { malmoLike } from '../../fixtures/area-type-kommuner.ts';
import { areaTypeBlockFixture, reportModelFixture, segregationExtrasFixture } from '../../fixtures/report-model.ts';

export const hasPoppler = spawnSync('pdfinfo', ['-v']).error === undefined && spawnSync('pdftoppm', ['-v']).error === undefined;

export type Kind = 'riket' | 'lan' | 'kommun';
export const KINDS: readonly Kind[] = ['riket', 'lan', 'kommun'];

export function model(kind: Kind): ReportModel {
  const base = reportModelFixture();
  if (kind === 'riket') return reportModelFixture({ area_types: areaTypeBlockFixture(), segregation: [...base.segregation, ...segregationExtrasFixture()] });
  if (kind === 'lan') return reportModelFixture({ scope: { level: 'lan', code: '12', name: 'Skåne län' } });
  return reportModelFixture({ scope: { level: 'kommun', code: '1280', name: 'Malmö' }, area_types: malmoLike(), segregation: [] });
}

export type Variant = 'a2a' | 'ua' | 'untagged';
const OPTIONS: Record<Variant, PdfOptions> = { a2a: {}, ua: { archive: false }, untagged: { tagged: false } };

export interface Built {
  dir: string;
  file(kind: Kind, variant: Variant): string;
  bytes(kind: Kind, variant: Variant): Buffer;
}

/** Builds `variants` of every kind in `kinds`, and the `extra` variants of single kinds. */
export async function buildAll(kinds: readonly Kind[], variants: readonly Variant[], extra: Partial<Record<Kind, Variant[]>> = {}): Promise<Built> {
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-tagging-'));
  const file = (kind: Kind, variant: Variant): string => join(dir, `segfollow-${kind}-${variant}.pdf`);
  for (const kind of kinds) for (const v of [...variants, ...(extra[kind] ?? [])]) await buildReportPdf(model(kind), file(kind, v), OPTIONS[v]);
  return { dir, file, bytes: (k, v) => readFileSync(file(k, v)) };
}
