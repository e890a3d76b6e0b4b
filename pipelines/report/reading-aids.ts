/**
 * Reading aids for the method chapter and the segregation charts: how old each indicator's latest data is and when
 * the next year can come, a scale for the dissimilarity index D with its source (data/segregation-scale.json), and
 * the "how to read" line under an index chart. Text and table rows only; build-pdf.ts lays them out.
 */
import { readFileSync } from 'node:fs';
import { StageError } from '../errors.ts';
import type { IndicatorBlock, ReportModel, SegregationBlock } from './model.ts';
import type { ChapterBlock } from './reforms.ts';
import { EN_DASH, formatNumber, unitStyle } from './format.ts';
import { measureLabel } from './summary.ts';

export interface ScaleBand {
  from: number;
  to: number;
  label_sv: string;
}

export interface SegregationScale {
  measure: string;
  source: string;
  source_short: string;
  bands: ScaleBand[];
  caveat_sv: string;
}

const SCALE_FILE = new URL('../../data/segregation-scale.json', import.meta.url);
let scaleCache: SegregationScale | undefined;

/** The D scale, checked: bands in order, adjoining, from 0 to 1. A clear error names the file and the fault. */
export function segregationScale(file: URL | string = SCALE_FILE): SegregationScale {
  if (file === SCALE_FILE && scaleCache) return scaleCache;
  const name = typeof file === 'string' ? file : file.pathname;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StageError(`${name}: cannot read the segregation scale (${(e as Error).message})`);
  }
  const s = raw as Partial<SegregationScale>;
  const bands = s.bands;
  if (typeof s.measure !== 'string' || typeof s.source !== 'string' || typeof s.source_short !== 'string' || typeof s.caveat_sv !== 'string' || !Array.isArray(bands) || bands.length === 0) {
    throw new StageError(`${name}: expected measure, source, source_short, caveat_sv (strings) and a non-empty bands list`);
  }
  bands.forEach((b, i) => {
    const prev = bands[i - 1];
    if (typeof b.from !== 'number' || typeof b.to !== 'number' || typeof b.label_sv !== 'string' || !(b.to > b.from)) {
      throw new StageError(`${name}: bands[${i}]: expected numbers from < to and a label_sv`);
    }
    if ((i === 0 && b.from !== 0) || (prev && prev.to !== b.from) || (i === bands.length - 1 && b.to !== 1)) {
      throw new StageError(`${name}: bands[${i}]: the bands must run from 0 to 1 without gaps or overlaps`);
    }
  });
  const out = s as SegregationScale;
  if (file === SCALE_FILE) scaleCache = out;
  return out;
}

/** The band a value of D falls in (lower bound inclusive), or null for a value outside 0–1. */
export function scaleBand(value: number, scale: SegregationScale = segregationScale()): ScaleBand | null {
  if (!Number.isFinite(value) || value < 0 || value > 1) return null;
  return scale.bands.find((b, i) => value >= b.from && (value < b.to || i === scale.bands.length - 1)) ?? null;
}

function bandRange(b: ScaleBand, i: number, n: number): string {
  if (i === 0) return `under ${formatNumber(b.to, 2)}`;
  if (i === n - 1) return `${formatNumber(b.from, 2)} eller mer`;
  return `${formatNumber(b.from, 2)}${EN_DASH}${formatNumber(b.to, 2)}`;
}

/** `under 0,30 låg, 0,30–0,60 måttlig och 0,60 eller mer hög segregation (Massey och Denton 1993)`. */
function scalePhrase(scale: SegregationScale): string {
  const parts = scale.bands.map((b, i) => `${bandRange(b, i, scale.bands.length)} ${b.label_sv}`);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} och ${parts[parts.length - 1] ?? ''}` : (parts[0] ?? '');
  return `${list} segregation (${scale.source_short})`;
}

/**
 * The "Så läses diagrammet" line under an index chart: what the index measures, which way is more segregation, and
 * for D the scale with its source and the latest value's band.
 */
export function howToRead(block: SegregationBlock): string {
  const label = measureLabel(block.measure);
  if (block.measure === 'D') {
    const scale = segregationScale();
    const latest = [...block.series].sort((a, b) => a.year - b.year).filter((p) => p.value !== null).pop();
    const band = latest && latest.value !== null ? scaleBand(latest.value, scale) : null;
    const now = latest && band ? ` Värdet ${formatNumber(latest.value as number, 3)} år ${latest.year} ligger i bandet ${band.label_sv}.` : '';
    return (
      ` Så läses diagrammet: D är den andel av den ena gruppen som skulle behöva flytta för att båda grupperna skulle fördela sig lika över områdena (0 = jämnt, 1 = helt åtskilda). ` +
      `Ofta läses ${scalePhrase(scale)}; små områden ger högre värden även av slump, så jämför bara värden över samma områdesindelning.${now}`
    );
  }
  if (block.measure === 'interaction_xPy') {
    return ` Så läses diagrammet: ${label} är andelen av grannarna som tillhör den andra gruppen; högre värde betyder mindre segregation.`;
  }
  return ` Så läses diagrammet: ${label} är 0 när grupperna fördelar sig lika över områdena och högre ju mer åtskilda de bor; jämför bara värden över samma områdesindelning.`;
}

/**
 * The next year an indicator's source can bring: one year after the latest, or the series' own rhythm where its
 * values come every few years (elections every fourth).
 */
export function nextDataYear(years: readonly number[]): number | null {
  const ys = [...new Set(years)].sort((a, b) => a - b);
  const last = ys[ys.length - 1];
  if (last === undefined) return null;
  const steps = ys.slice(1).map((y, i) => y - (ys[i] as number));
  const step = steps.length > 0 && steps.every((s) => s === steps[0]) ? (steps[0] as number) : 1;
  return last + step;
}

export interface LagRow {
  title: string;
  latest_year: number | null;
  source: string;
  /** Years behind the report year (null without data). */
  lag: number | null;
  next_year: number | null;
}

/** One row per indicator of the report: its latest year, source, lag behind the report year and the next year due. */
export function dataLags(model: ReportModel): LagRow[] {
  return model.chapters
    .flatMap((ch) => ch.indicators)
    .map((b) => {
      const years = b.series.filter((p) => p.value !== null).map((p) => p.year);
      return { title: b.title_sv, latest_year: b.latest_year, source: b.source, lag: b.latest_year === null ? null : model.year - b.latest_year, next_year: nextDataYear(years) };
    });
}

/** The reading-aids section of the method chapter: the data-lag table and the D scale, as blocks for build-pdf.ts. */
export function readingAids(model: ReportModel, num: string): ChapterBlock[] {
  const lags = dataLags(model);
  const out: ChapterBlock[] = [{ kind: 'h2', text: `${num} Läshjälp: uppgifternas ålder och skalan för D` }];
  if (lags.length > 0) {
    const behind = lags.filter((r) => r.lag !== null && r.lag > 0).length;
    out.push({
      kind: 'para',
      text:
        `Källorna publicerar med olika fördröjning. För ${formatNumber(behind, 0)} av ${formatNumber(lags.length, 0)} indikatorer ligger det senaste året före rapportåret ${model.year}. ` +
        'Nästa år med data är året efter det senaste, eller nästa år i seriens egen takt (val vart fjärde år); när källan publicerar det visar segfollow sources --due.',
    });
    out.push({
      kind: 'table',
      caption: `Uppgifternas ålder, rapportår ${model.year}`,
      header: ['Indikator', 'Senaste år', 'År före rapportåret', 'Källa', 'Nästa år med data'],
      numeric: [1, 2, 4],
      wide: 0,
      rows: lags.map((r) => [
        r.title,
        r.latest_year === null ? '..' : String(r.latest_year),
        r.lag === null ? '..' : formatNumber(r.lag, 0),
        r.source,
        r.next_year === null ? '..' : String(r.next_year),
      ]),
      note: 'År före rapportåret: hur många år det senaste värdet ligger före rapportåret (0: data för rapportåret finns).',
    });
  }
  if (model.segregation.some((b) => b.measure === 'D')) {
    const scale = segregationScale();
    out.push({
      kind: 'para',
      text: `Olikhetsindex D läses ofta med en grov skala: ${scalePhrase(scale)}. ${scale.caveat_sv} Källa: ${scale.source}`,
    });
    out.push({
      kind: 'table',
      caption: `Skala för olikhetsindex D (${scale.source_short})`,
      header: ['D', 'Segregation'],
      numeric: [],
      wide: 1,
      rows: scale.bands.map((b, i) => [bandRange(b, i, scale.bands.length), b.label_sv]),
    });
  }
  return out;
}

/**
 * The line under an indicator's heading: its definition, population and unit (catalogue fields the model carries),
 * so the reader sees what is measured where the number is shown. Empty parts are left out.
 */
export function definitionLine(block: Pick<IndicatorBlock, 'definition' | 'population' | 'unit' | 'prices'>): string {
  const sentence = (s: string): string => {
    const t = s.trim();
    return /[.!?]$/.test(t) ? t : `${t}.`;
  };
  const parts: string[] = [];
  if (block.definition?.trim()) parts.push(`Definition: ${sentence(block.definition)}`);
  if (block.population?.trim()) parts.push(`Population: ${sentence(block.population)}`);
  const label = unitStyle(block.unit).label;
  const unit = label === 'Procent' ? 'procent (procentenheter för förändringar)' : block.unit.trim();
  const prices = block.prices ? (block.prices.basis === 'constant' ? `, fasta priser${block.prices.base_year !== null ? ` (${block.prices.base_year})` : ''}` : ', löpande priser') : '';
  parts.push(`Enhet: ${unit}${prices}.`);
  return parts.join(' ');
}
