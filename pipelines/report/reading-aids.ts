/**
 * Reading aids for the method chapter and the segregation charts: how old each indicator's latest data is and when
 * the next year can come, a scale for the dissimilarity index D with its source (data/segregation-scale.json), and
 * the "how to read" line under an index chart. Text and table rows only; build-pdf.ts lays them out.
 */
import { readFileSync } from 'node:fs';
import { StageError } from '../errors.ts';
import type { IndicatorBlock, ReportModel, SegregationBlock } from './model.ts';
import type { ChapterBlock } from './reforms.ts';
import { EN_DASH, formatNumber, joinList, unitStyle } from './format.ts';
import { measureLabel } from './summary.ts';
import { catalogueText } from './catalogue-text.ts';
import { wording, type Lang, type Wording } from './wording.ts';

export interface ScaleBand {
  from: number;
  to: number;
  label_sv: string;
  /** Optional in the file; an English report needs it. */
  label_en?: string;
}

export interface SegregationScale {
  measure: string;
  source: string;
  source_short: string;
  source_short_en?: string;
  bands: ScaleBand[];
  caveat_sv: string;
  caveat_en?: string;
}

/** A scale text in the report's language; an English text missing from the file stops an English report. */
function scaleText(sv: string, en: string | undefined, field: string, lang: Lang): string {
  if (lang === 'sv') return sv;
  if (typeof en !== 'string' || en.trim() === '') throw new StageError(`data/segregation-scale.json: ${field}: no English text (an English report needs it)`);
  return en;
}

function bandLabel(b: ScaleBand, i: number, lang: Lang): string {
  return scaleText(b.label_sv, b.label_en, `bands[${i}].label_en`, lang);
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

function bandRange(b: ScaleBand, i: number, n: number, w: Wording): string {
  if (i === 0) return w.t('readingAids.scale.below', { value: formatNumber(b.to, 2, w.lang) });
  if (i === n - 1) return w.t('readingAids.scale.orMore', { value: formatNumber(b.from, 2, w.lang) });
  return `${formatNumber(b.from, 2, w.lang)}${EN_DASH}${formatNumber(b.to, 2, w.lang)}`;
}

/** `under 0,30 låg, 0,30–0,60 måttlig och 0,60 eller mer hög segregation (Massey och Denton 1993)`. */
function scalePhrase(scale: SegregationScale, w: Wording): string {
  const parts = scale.bands.map((b, i) => `${bandRange(b, i, scale.bands.length, w)} ${bandLabel(b, i, w.lang)}`);
  const source = scaleText(scale.source_short, scale.source_short_en, 'source_short_en', w.lang);
  return w.t('readingAids.scale.phrase', { list: joinList(parts, w.lang), source });
}

/**
 * The "Så läses diagrammet" line under an index chart: what the index measures, which way is more segregation, and
 * for D the scale with its source and the latest value's band.
 */
export function howToRead(block: SegregationBlock, lang: Lang = 'sv'): string {
  const w = wording(lang);
  const label = measureLabel(block.measure, lang);
  if (block.measure === 'D') {
    const scale = segregationScale();
    const latest = [...block.series].sort((a, b) => a.year - b.year).filter((p) => p.value !== null).pop();
    const band = latest && latest.value !== null ? scaleBand(latest.value, scale) : null;
    const now =
      latest && band
        ? ` ${w.t('readingAids.howToRead.band', { value: formatNumber(latest.value as number, 3, lang), year: latest.year, band: bandLabel(band, scale.bands.indexOf(band), lang) })}`
        : '';
    return ` ${w.t('readingAids.howToRead.D', { scale: scalePhrase(scale, w) })}${now}`;
  }
  if (block.measure === 'interaction_xPy') {
    return ` ${w.t('readingAids.howToRead.exposure', { label })}`;
  }
  return ` ${w.t('readingAids.howToRead.other', { label })}`;
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
  const text = catalogueText(model.lang ?? 'sv');
  return model.chapters
    .flatMap((ch) => ch.indicators)
    .map((b) => {
      const years = b.series.filter((p) => p.value !== null).map((p) => p.year);
      return { title: text.title(b), latest_year: b.latest_year, source: b.source, lag: b.latest_year === null ? null : model.year - b.latest_year, next_year: nextDataYear(years) };
    });
}

/** The reading-aids section of the method chapter: the data-lag table and the D scale, as blocks for build-pdf.ts. */
export function readingAids(model: ReportModel, num: string): ChapterBlock[] {
  const lang = model.lang ?? 'sv';
  const w = wording(lang);
  const lags = dataLags(model);
  const out: ChapterBlock[] = [{ kind: 'h2', text: `${num} ${w.t('readingAids.heading')}` }];
  if (lags.length > 0) {
    const behind = lags.filter((r) => r.lag !== null && r.lag > 0).length;
    out.push({
      kind: 'para',
      text: w.t('readingAids.lags.intro', { behind: formatNumber(behind, 0, lang), total: formatNumber(lags.length, 0, lang), year: model.year }),
    });
    out.push({
      kind: 'table',
      caption: w.t('readingAids.lags.caption', { year: model.year }),
      header: [w.t('readingAids.lags.indicator'), w.t('readingAids.lags.latest'), w.t('readingAids.lags.behind'), w.t('readingAids.lags.source'), w.t('readingAids.lags.next')],
      numeric: [1, 2, 4],
      wide: 0,
      rows: lags.map((r) => [
        r.title,
        r.latest_year === null ? '..' : String(r.latest_year),
        r.lag === null ? '..' : formatNumber(r.lag, 0, lang),
        r.source,
        r.next_year === null ? '..' : String(r.next_year),
      ]),
      note: w.t('readingAids.lags.note'),
    });
  }
  if (model.segregation.some((b) => b.measure === 'D')) {
    const scale = segregationScale();
    const source = scaleText(scale.source_short, scale.source_short_en, 'source_short_en', lang);
    out.push({
      kind: 'para',
      text: w.t('readingAids.scale.intro', { scale: scalePhrase(scale, w), caveat: scaleText(scale.caveat_sv, scale.caveat_en, 'caveat_en', lang), source: scale.source }),
    });
    out.push({
      kind: 'table',
      caption: w.t('readingAids.scale.caption', { source }),
      header: ['D', w.t('readingAids.scale.column')],
      numeric: [],
      wide: 1,
      rows: scale.bands.map((b, i) => [bandRange(b, i, scale.bands.length, w), bandLabel(b, i, lang)]),
    });
  }
  return out;
}

/**
 * The line under an indicator's heading: its definition, population and unit (catalogue fields the model carries),
 * so the reader sees what is measured where the number is shown. Empty parts are left out.
 */
export function definitionLine(block: Pick<IndicatorBlock, 'definition' | 'population' | 'unit' | 'prices'> & { id?: string }, lang: Lang = 'sv'): string {
  const w = wording(lang);
  const text = catalogueText(lang);
  const sentence = (s: string): string => {
    const t = s.trim();
    return /[.!?]$/.test(t) ? t : `${t}.`;
  };
  // The id finds the English text in the catalogue; a Swedish line needs only the model's own fields.
  const id = block.id ?? '(indicator without id)';
  const definition = text.definition({ id, definition: block.definition });
  const population = text.population({ id, population: block.population });
  const parts: string[] = [];
  if (definition?.trim()) parts.push(w.t('readingAids.definition.definition', { text: sentence(definition) }));
  if (population?.trim()) parts.push(w.t('readingAids.definition.population', { text: sentence(population) }));
  const style = unitStyle(block.unit, lang);
  const unit =
    style.kind === 'percent'
      ? w.t('readingAids.definition.percentUnit')
      : lang === 'sv'
        ? block.unit.trim()
        : style.kind === 'money'
          ? style.label
          : style.label.charAt(0).toLowerCase() + style.label.slice(1);
  const prices = block.prices
    ? block.prices.basis === 'constant'
      ? `, ${w.t('readingAids.definition.constantPrices')}${block.prices.base_year !== null ? ` (${block.prices.base_year})` : ''}`
      : `, ${w.t('readingAids.definition.currentPrices')}`
    : '';
  parts.push(w.t('readingAids.definition.unit', { unit, prices }));
  return parts.join(' ');
}
