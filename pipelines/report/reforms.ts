/**
 * The reform programme chapter: what the programme is (data/reforms.json, every fact with its source), and per
 * reform the indicators that follow its target group with their development in the report's area, taken from the
 * report model. Renderer-neutral: it returns headings, paragraphs and tables of text (build-pdf.ts lays them out)
 * and the same rows as numbers for the workbook.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { formatCell, formatNumber, formatSigned, formatYearList, joinList, printedDiff, roundsToZero, unitStyle } from './format.ts';
import type { ReportModel } from './model.ts';
import { catalogueText } from './catalogue-text.ts';
import { wording, type Lang, type Wording } from './wording.ts';

export type Verified = 'primary' | 'secondary' | 'unverified';
export type ProgrammeArea = 'boende' | 'utbildning' | 'arbete' | 'demokrati' | 'brottslighet';

export interface ReformSource {
  id: string;
  title: string;
  publisher: string;
  url: string;
  read_sv: string;
}

export interface Reform {
  id: string;
  n: number;
  title_sv: string;
  /** The `_en` fields are optional in the file; an English report needs those it prints. */
  title_en?: string;
  policy_area: ProgrammeArea;
  target_group_sv: string;
  target_group_en?: string;
  /** `title_sv` and `unit` are filled from data/indicators.json by loadReforms, not written in the file. */
  indicators: { id: string; relation: 'direct' | 'proxy'; note_sv: string; note_en?: string; title_sv?: string; unit?: string }[];
  /** Why no open indicator follows the reform (or its target group); required when `indicators` is empty. */
  no_indicator_sv?: string;
  no_indicator_en?: string;
  sources: string[];
  verified: Verified;
}

export interface BudgetEntry {
  text_sv: string;
  msek: number[];
  /** One year per amount; null where the source gives none. */
  years: (number | null)[];
  /** Announced at the launch, outcome, appropriated in the budget, proposed in a budget bill, estimated for later years. */
  kind: 'aviserat' | 'utfall' | 'budget' | 'förslag' | 'beräknat';
  note_sv: string;
  text_en?: string;
  note_en?: string;
  sources: string[];
  verified: Verified;
}

export interface ReformProgramme {
  programme: {
    title_sv: string;
    title_en?: string;
    period: [number, number];
    presented_sv: string;
    presented_en?: string;
    purpose_sv: string;
    purpose_en?: string;
    followed_by_sv: string;
    followed_by_en?: string;
    delmos_sv: string;
    delmos_en?: string;
    sources: string[];
    verified: Verified;
  };
  policy_areas: { id: ProgrammeArea; title_sv: string; title_en?: string; sources: string[]; verified: Verified }[];
  reforms_verification_sv: string;
  reforms_verification_en?: string;
  reforms: Reform[];
  budget: BudgetEntry[];
  sources: ReformSource[];
}

const AREAS: readonly ProgrammeArea[] = ['boende', 'utbildning', 'arbete', 'demokrati', 'brottslighet'];
const VERIFIED: readonly Verified[] = ['primary', 'secondary', 'unverified'];

/**
 * Problems of a programme file against the indicator catalogue: unknown indicator ids, unknown source ids, a reform
 * with neither an indicator nor a reason, policy areas outside the programme's five. Empty when the file is sound.
 */
export function checkReforms(p: ReformProgramme, indicatorIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const sourceIds = new Set(p.sources.map((s) => s.id));
  const refs = (where: string, ids: readonly string[]) => {
    if (ids.length === 0) problems.push(`${where}: no source`);
    for (const id of ids) if (!sourceIds.has(id)) problems.push(`${where}: source "${id}" is not in sources`);
  };
  const verified = (where: string, v: string) => {
    if (!VERIFIED.includes(v as Verified)) problems.push(`${where}: verified "${v}" is not one of ${VERIFIED.join(', ')}`);
  };
  refs('programme', p.programme.sources);
  verified('programme', p.programme.verified);
  for (const a of p.policy_areas) {
    if (!AREAS.includes(a.id)) problems.push(`policy area "${a.id}" is not one of ${AREAS.join(', ')}`);
    refs(`policy area ${a.id}`, a.sources);
  }
  const seen = new Set<string>();
  for (const r of p.reforms) {
    const where = `reform ${r.n} (${r.id})`;
    if (seen.has(r.id)) problems.push(`${where}: duplicate id`);
    seen.add(r.id);
    if (!AREAS.includes(r.policy_area)) problems.push(`${where}: policy area "${r.policy_area}" is not one of ${AREAS.join(', ')}`);
    for (const i of r.indicators) {
      if (!indicatorIds.has(i.id)) problems.push(`${where}: indicator "${i.id}" is not in data/indicators.json`);
      if (i.relation !== 'direct' && i.relation !== 'proxy') problems.push(`${where}: indicator "${i.id}" has relation "${String(i.relation)}"`);
    }
    if (r.indicators.length === 0 && !r.no_indicator_sv) problems.push(`${where}: no indicator and no no_indicator_sv saying why`);
    refs(where, r.sources);
    verified(where, r.verified);
  }
  for (const [i, b] of p.budget.entries()) {
    if (!(b.kind in BUDGET_KIND_KEY)) problems.push(`budget #${i + 1}: kind "${String(b.kind)}" is not one of ${Object.keys(BUDGET_KIND_KEY).join(', ')}`);
    if (b.msek.length !== b.years.length) problems.push(`budget #${i + 1}: ${b.msek.length} amounts but ${b.years.length} years`);
    refs(`budget #${i + 1}`, b.sources);
    verified(`budget #${i + 1}`, b.verified);
  }
  return problems;
}

/**
 * Reads data/reforms.json, checks it against the catalogue and names each linked indicator as the catalogue does;
 * a broken file stops the run (exit 2), naming the file and the problem.
 */
export function loadReforms(dataDir: string, catalogue: readonly { id: string; title_sv: string; unit: string }[]): ReformProgramme {
  const byId = new Map(catalogue.map((d) => [d.id, d]));
  const file = join(dataDir, 'reforms.json');
  let p: ReformProgramme;
  try {
    p = JSON.parse(readFileSync(file, 'utf8')) as ReformProgramme;
  } catch (e) {
    throw new UsageError(`data/reforms.json: cannot read the reform programme (${(e as Error).message})`, { cause: e });
  }
  const problems = checkReforms(p, new Set(byId.keys()));
  if (problems.length > 0) throw new UsageError(`data/reforms.json: ${problems.join('; ')}`);
  for (const r of p.reforms) for (const i of r.indicators) Object.assign(i, { title_sv: byId.get(i.id)?.title_sv, unit: byId.get(i.id)?.unit });
  return p;
}

/** One linked indicator's development in the report's area, in numbers (the workbook) and words (the chapter). */
export interface ReformIndicatorRow {
  reform_n: number;
  reform_id: string;
  indicator_id: string;
  title_sv: string;
  unit: string;
  relation: 'direct' | 'proxy';
  note_sv: string;
  first_year: number | null;
  first_value: number | null;
  latest_year: number | null;
  latest_value: number | null;
  /** Latest − first as printed (both rounded to the unit's decimals first, as the rest of the report does); null without both. */
  change: number | null;
  area_version: string | null;
  /** The area-types chapter's gap (type 1 − type 5, or the scope's own focus − reference) in the base and the latest year. */
  gap_base_year: number | null;
  gap_base: number | null;
  gap_year: number | null;
  gap: number | null;
  /** False when the report's area has no value of the indicator at its level. */
  in_model: boolean;
}

/** The rows of every linked indicator, from the model's series and area-type gaps; nothing is recomputed. */
export function reformIndicatorRows(model: ReportModel, programme: ReformProgramme): ReformIndicatorRow[] {
  const blocks = new Map(model.chapters.flatMap((c) => c.indicators).map((b) => [b.id, b]));
  const gaps = new Map((model.area_types?.indicators ?? []).map((g) => [g.id, g]));
  const rows: ReformIndicatorRow[] = [];
  for (const r of [...programme.reforms].sort((a, b) => a.n - b.n)) {
    for (const link of r.indicators) {
      const block = blocks.get(link.id);
      const valued = [...(block?.series ?? [])].filter((p) => p.value !== null).sort((a, b) => a.year - b.year);
      const first = valued[0];
      const latest = valued.length > 1 ? valued[valued.length - 1] : undefined;
      const decimals = unitStyle(block?.unit ?? '').decimals;
      const gap = gaps.get(link.id);
      rows.push({
        reform_n: r.n,
        reform_id: r.id,
        indicator_id: link.id,
        title_sv: block?.title_sv ?? gap?.title_sv ?? link.title_sv ?? link.id,
        unit: block?.unit ?? gap?.unit ?? link.unit ?? '',
        relation: link.relation,
        note_sv: link.note_sv,
        first_year: first?.year ?? null,
        first_value: first?.value ?? null,
        latest_year: latest?.year ?? null,
        latest_value: latest?.value ?? null,
        change: first?.value != null && latest?.value != null ? printedDiff(first.value, latest.value, decimals) : null,
        area_version: latest?.area_version ?? first?.area_version ?? null,
        gap_base_year: gap?.base_year ?? null,
        gap_base: gap?.gap_base ?? null,
        gap_year: gap && gap.gap !== null ? gap.year : null,
        gap: gap?.gap ?? null,
        in_model: block !== undefined && valued.length > 0,
      });
    }
  }
  return rows;
}

export type ChapterBlock =
  | { kind: 'h2'; text: string }
  | { kind: 'para'; text: string }
  | { kind: 'list'; items: string[] }
  /** `wide`: the column that takes the remaining width (the longest text). */
  | { kind: 'table'; caption: string; header: string[]; numeric: number[]; wide: number; rows: string[][]; note?: string };

/** The wording key (templates/wording `reforms.budget.kind`) of each kind of budget amount. */
const BUDGET_KIND_KEY: Record<BudgetEntry['kind'], string> = { aviserat: 'announced', utfall: 'outcome', budget: 'budget', förslag: 'proposed', beräknat: 'estimated' };

/** The chapter's Swedish title (build-pdf.ts reads it); `reformChapterTitle(lang)` in other languages. */
export const REFORM_CHAPTER_TITLE = wording('sv').t('reforms.title');

export function reformChapterTitle(lang: Lang = 'sv'): string {
  return wording(lang).t('reforms.title');
}

/** A text of data/reforms.json in the report's language: the `_sv` field, or the `_en` one, which an English report needs. */
function inLang(sv: string, en: string | undefined, where: string, lang: Lang): string {
  if (lang === 'sv') return sv;
  if (typeof en !== 'string') throw new UsageError(`data/reforms.json: ${where}: no English text (an English report needs it)`);
  return en;
}

function lowerFirst(s: string): string {
  return `${s.charAt(0).toLowerCase()}${s.slice(1)}`;
}

function scopeName(model: ReportModel, w: Wording): string {
  return model.scope.level === 'riket' ? w.t('summary.riketName') : model.scope.name;
}

/** The chapter's content for one report: the programme, its reforms, the budget and the linked indicators. */
export function reformChapter(model: ReportModel, programme: ReformProgramme, opts: { judgedIn?: string } = {}): ChapterBlock[] {
  const lang = model.lang ?? 'sv';
  const w = wording(lang);
  const text = catalogueText(lang);
  const p = programme.programme;
  const sources = new Map(programme.sources.map((s) => [s.id, s]));
  const rows = reformIndicatorRows(model, programme);
  const area = (id: ProgrammeArea): string => w.t(`policyAreas.${id}`);
  const reformTitle = (r: Reform): string => inLang(r.title_sv, r.title_en, `reform ${r.n}.title_en`, lang);
  const out: ChapterBlock[] = [
    {
      kind: 'para',
      text: w.t('reforms.intro', {
        title: inLang(p.title_sv, p.title_en, 'programme.title_en', lang),
        presented: inLang(p.presented_sv, p.presented_en, 'programme.presented_en', lang),
        purpose: inLang(p.purpose_sv, p.purpose_en, 'programme.purpose_en', lang),
        followedBy: inLang(p.followed_by_sv, p.followed_by_en, 'programme.followed_by_en', lang),
        delmos: inLang(p.delmos_sv, p.delmos_en, 'programme.delmos_en', lang),
      }),
    },
    { kind: 'h2', text: w.t('reforms.areasHeading') },
    { kind: 'list', items: programme.policy_areas.map((a) => `${area(a.id)}: ${lowerFirst(inLang(a.title_sv, a.title_en, `policy area ${a.id}.title_en`, lang))}`) },
    { kind: 'h2', text: w.t('reforms.reformsHeading') },
    { kind: 'para', text: inLang(programme.reforms_verification_sv, programme.reforms_verification_en, 'reforms_verification_en', lang) },
  ];

  out.push({
    kind: 'table',
    caption: w.t('reforms.table.caption'),
    header: [w.t('reforms.table.n'), w.t('reforms.table.reform'), w.t('reforms.table.area'), w.t('reforms.table.indicators')],
    numeric: [0],
    wide: 1,
    rows: [...programme.reforms]
      .sort((a, b) => a.n - b.n)
      .map((r) => [
        String(r.n),
        reformTitle(r),
        area(r.policy_area),
        r.indicators.length === 0
          ? w.t('reforms.table.noMeasure')
          : joinList(
              r.indicators.map((i) => `${text.title({ id: i.id, title_sv: i.title_sv ?? i.id })}${i.relation === 'proxy' ? ` (${w.t('reforms.table.proxy')})` : ''}`),
              lang,
            ),
      ]),
    note: w.t('reforms.table.note'),
  });
  const without = programme.reforms.filter((r) => r.no_indicator_sv).sort((a, b) => a.n - b.n);
  if (without.length > 0) {
    out.push({ kind: 'para', text: w.t('reforms.withoutIntro') });
    out.push({
      kind: 'list',
      items: without.map((r) =>
        w.t('reforms.without', {
          n: r.n,
          group: lowerFirst(inLang(r.target_group_sv, r.target_group_en, `reform ${r.n}.target_group_en`, lang)),
          why: inLang(r.no_indicator_sv ?? '', r.no_indicator_en, `reform ${r.n}.no_indicator_en`, lang),
        }),
      ),
    });
  }

  out.push({ kind: 'h2', text: w.t('reforms.budget.heading') });
  const budgetRows: string[][] = [];
  for (const b of programme.budget) {
    for (const [i, msek] of b.msek.entries()) {
      const y = b.years[i] ?? null;
      budgetRows.push([
        y === null ? w.t('reforms.budget.atLaunch') : String(y),
        formatNumber(msek, 0, lang),
        w.t(`reforms.budget.kind.${BUDGET_KIND_KEY[b.kind]}`),
        joinList(
          b.sources.map((s) => sources.get(s)?.publisher ?? s),
          lang,
        ),
      ]);
    }
  }
  out.push({
    kind: 'table',
    caption: w.t('reforms.budget.caption'),
    header: [w.t('reforms.budget.year'), w.t('reforms.budget.msek'), w.t('reforms.budget.kindColumn'), w.t('reforms.budget.source')],
    numeric: [1],
    wide: 3,
    rows: budgetRows,
    note: programme.budget
      .map((b, i) => inLang(b.note_sv, b.note_en, `budget #${i + 1}.note_en`, lang))
      .filter((n) => n !== '')
      .join(' '),
  });

  const scope = scopeName(model, w);
  out.push({ kind: 'h2', text: w.t('reforms.indicators.heading', { scope }) });
  const shown = rows.filter((r) => r.in_model);
  const missing = [...new Set(rows.filter((r) => !r.in_model).map((r) => text.title({ id: r.indicator_id, title_sv: r.title_sv })))];
  if (shown.length === 0) {
    out.push({ kind: 'para', text: w.t('reforms.indicators.none', { scope }) });
  } else {
    const byIndicator = new Map<string, ReformIndicatorRow[]>();
    for (const r of shown) byIndicator.set(r.indicator_id, [...(byIndicator.get(r.indicator_id) ?? []), r]);
    const withGap = shown.some((r) => r.gap !== null);
    const tableRows = [...byIndicator.values()].map((rs) => {
      const r = rs[0] as ReformIndicatorRow;
      const u = unitStyle(r.unit, lang);
      const title = text.title({ id: r.indicator_id, title_sv: r.title_sv });
      const cell = (v: number | null) => formatCell(v, r.unit, null, undefined, lang);
      const signed = (v: number): string => formatSigned(v, u.decimals, lang);
      const change = r.change === null ? '..' : roundsToZero(r.change, u.decimals) ? formatNumber(0, u.decimals, lang) : signed(r.change);
      return [
        title.toLowerCase().includes(u.label.toLowerCase().replace(/\u00a0/g, ' ')) ? title : `${title} (${u.label.toLowerCase()})`,
        formatYearList(
          rs.map((x) => x.reform_n),
          lang,
        ),
        r.first_year === null ? '..' : `${cell(r.first_value)} (${r.first_year})`,
        r.latest_year === null ? '..' : `${cell(r.latest_value)} (${r.latest_year})`,
        change,
        // Without a base-year gap only the latest one, with its year (no arrow from nothing).
        ...(withGap ? [r.gap === null ? '..' : r.gap_base === null ? `${signed(r.gap)} (${r.gap_year ?? ''})` : `${signed(r.gap_base)} → ${signed(r.gap)}`] : []),
      ];
    });
    out.push({
      kind: 'table',
      caption: w.t('reforms.indicators.caption', { scope }),
      header: [
        w.t('reforms.indicators.indicator'),
        w.t('reforms.indicators.reform'),
        w.t('reforms.indicators.first'),
        w.t('reforms.indicators.latest'),
        w.t('reforms.indicators.change'),
        ...(withGap ? [w.t('reforms.indicators.gap')] : []),
      ],
      numeric: withGap ? [2, 3, 4, 5] : [2, 3, 4],
      wide: 0,
      rows: tableRows,
      // Where a reader finds whether each change is clear: the indicator's chapter, or the table the caller names.
      note: w.t('reforms.indicators.note', { gap: withGap ? w.t('reforms.indicators.gapNote') : '', judged: opts.judgedIn ?? w.t('reforms.indicators.judgedChapter') }),
    });
  }
  if (missing.length > 0) out.push({ kind: 'para', text: w.t('reforms.indicators.missing', { scope, names: joinList(missing, lang) }) });

  const cited = [...new Set([...p.sources, ...programme.reforms.flatMap((r) => r.sources), ...programme.budget.flatMap((b) => b.sources)])];
  out.push({ kind: 'h2', text: w.t('reforms.sources.heading') });
  out.push({
    kind: 'list',
    items: cited.flatMap((id) => {
      const s = sources.get(id);
      return s ? [`${s.publisher}: ${s.title}. ${s.url}`] : [];
    }),
  });
  const levels = [...new Set([p.verified, ...programme.reforms.map((r) => r.verified), ...programme.budget.map((b) => b.verified)])];
  out.push({ kind: 'para', text: w.t('reforms.sources.verified', { levels: joinList(levels.map((v) => w.t(`reforms.verified.${v}`)), lang) }) });
  return out;
}
