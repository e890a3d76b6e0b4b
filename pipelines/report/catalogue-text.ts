/**
 * The catalogue's own words (indicator titles, definitions, populations, definition breaks, the area-version break)
 * in the report's language. The model carries them in Swedish, as the catalogue's `_sv` and unsuffixed fields; an
 * English report reads the `_en` fields of data/indicators.json by indicator id. A missing English field stops the
 * report with the file, the indicator and the field, rather than printing Swedish in an English report.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StageError, UsageError } from '../errors.ts';
import { MESSAGES, message, type MessageId } from '../messages.ts';
import type { IndicatorBlock, SeriesBreak } from './model.ts';
import { wording, type Lang } from './wording.ts';

interface EnBreak {
  year: number;
  title_sv?: string;
  what_en?: string;
  effect_en?: string;
  label_en?: string;
  title_en?: string;
}

interface EnIndicator {
  id: string;
  title_sv: string;
  title_en?: string;
  definition_en?: string;
  population_en?: string;
  materiality?: { reason_en?: string };
  breaks?: EnBreak[];
}

interface EnCatalogue {
  area_version_breaks?: { year: number; what: string; what_en?: string; effect_en?: string }[];
  indicators: EnIndicator[];
}

export interface CatalogueText {
  /** The indicator's title (in Swedish: as the model has it, which follows a definition break's title). */
  title(block: Pick<IndicatorBlock, 'id' | 'title_sv'>): string;
  definition(block: Pick<IndicatorBlock, 'id' | 'definition'>): string | undefined;
  population(block: Pick<IndicatorBlock, 'id' | 'population'>): string | undefined;
  /** Why the indicator's materiality limit is what it is (catalogue `materiality.reason`, `reason_en`). */
  materialityReason(block: Pick<IndicatorBlock, 'id' | 'materiality'>): string | undefined;
  /** A definition break's clauses and chart label. */
  seriesBreak(id: string, b: SeriesBreak): SeriesBreak;
  /** The area-version break's clauses (model `area_break`). */
  areaBreak(info: { what: string; effect: string }): { what: string; effect: string };
}

const FILE = fileURLToPath(new URL('../../data/indicators.json', import.meta.url));
let english: CatalogueText | undefined;

const swedish: CatalogueText = {
  title: (b) => b.title_sv,
  definition: (b) => b.definition,
  population: (b) => b.population,
  materialityReason: (b) => b.materiality?.reason,
  seriesBreak: (_id, b) => b,
  areaBreak: (info) => info,
};

function need(value: string | undefined, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`data/indicators.json: ${where}: no English text (an English report needs it)`);
  return value;
}

function loadEnglish(): CatalogueText {
  let cat: EnCatalogue;
  try {
    cat = JSON.parse(readFileSync(FILE, 'utf8')) as EnCatalogue;
  } catch (e) {
    throw new UsageError(`data/indicators.json: cannot read the catalogue (${(e as Error).message})`, { cause: e });
  }
  const byId = new Map(cat.indicators.map((i) => [i.id, i]));
  const ind = (id: string): EnIndicator => {
    const i = byId.get(id);
    if (!i) throw new UsageError(`data/indicators.json: indicator "${id}" of the report is not in the catalogue`);
    return i;
  };
  return {
    title: (b) => {
      const i = ind(b.id);
      // The model's title follows the definition of its latest year: the break that gave it that title gives the English one.
      const br = (i.breaks ?? []).find((x) => x.title_sv !== undefined && x.title_sv === b.title_sv);
      return br ? need(br.title_en, `indicator "${b.id}": breaks[year ${br.year}].title_en`) : need(i.title_en, `indicator "${b.id}": title_en`);
    },
    definition: (b) => (b.definition === undefined ? undefined : need(ind(b.id).definition_en, `indicator "${b.id}": definition_en`)),
    population: (b) => (b.population === undefined ? undefined : need(ind(b.id).population_en, `indicator "${b.id}": population_en`)),
    materialityReason: (b) => (b.materiality === undefined ? undefined : need(ind(b.id).materiality?.reason_en, `indicator "${b.id}": materiality.reason_en`)),
    seriesBreak: (id, b) => {
      const br = (ind(id).breaks ?? []).find((x) => x.year === b.year);
      const at = `indicator "${id}": breaks[year ${b.year}]`;
      if (!br) throw new UsageError(`data/indicators.json: ${at}: the report's break is not in the catalogue`);
      const out = { ...b, what: need(br.what_en, `${at}.what_en`), effect: need(br.effect_en, `${at}.effect_en`), label: need(br.label_en, `${at}.label_en`) };
      if (b.title_before === undefined) return out;
      // The title before the break is the indicator's own title or an earlier break's.
      const i = ind(id);
      const before = i.title_sv === b.title_before ? { en: i.title_en, where: 'title_en' } : (() => {
        const e = (i.breaks ?? []).find((x) => x.title_sv === b.title_before);
        return { en: e?.title_en, where: `breaks[year ${e?.year ?? '?'}].title_en` };
      })();
      return { ...out, title_before: need(before.en, `indicator "${id}": ${before.where}`) };
    },
    areaBreak: (info) => {
      const br = (cat.area_version_breaks ?? []).find((x) => x.what === info.what);
      if (!br) throw new UsageError('data/indicators.json: area_version_breaks: the report\'s area-version break is not in the catalogue');
      return { what: need(br.what_en, `area_version_breaks[year ${br.year}].what_en`), effect: need(br.effect_en, `area_version_breaks[year ${br.year}].effect_en`) };
    },
  };
}

/**
 * A report caveat in the report's language. The model carries caveats as Swedish message texts (indicator blocks)
 * or as `{ id, text }` (the report's list); the English text is the message's `en` (pipelines/messages.ts). A caveat
 * with text of its own beyond the message (W225's list of late indicators, written by freshness.ts in Swedish) prints
 * the message's English text and a sentence saying the list is in Swedish only.
 */
export function caveatText(caveat: string | { id: string; text: string }, lang: Lang): string {
  const text = typeof caveat === 'string' ? caveat : caveat.text;
  if (lang === 'sv') return text;
  const ids = Object.keys(MESSAGES) as MessageId[];
  const id = typeof caveat === 'string' ? ids.find((k) => message(k) === text) : ids.find((k) => k === caveat.id);
  if (id === undefined) throw new StageError(`report caveat "${text.slice(0, 60)}": not a message of pipelines/messages.ts, so it has no English text`);
  // The part beyond the message (W225's list of late indicators, with the catalogue's and the sources' Swedish
  // reasons) has no English: the English report gives the message and says where the list is, rather than printing
  // Swedish or leaving the list out silently. Otherwise the id decides the text.
  if (text !== message(id) && text.startsWith(message(id))) return wording(lang).t('pdf.caveatListSwedishOnly', { message: message(id, lang).replace(/:$/, '.') });
  return message(id, lang);
}

/** The catalogue's words in `lang`; the English ones are read once per process. */
export function catalogueText(lang: Lang): CatalogueText {
  if (lang === 'sv') return swedish;
  english ??= loadEnglish();
  return english;
}
