/**
 * The reform programme chapter: what the programme is (data/reforms.json, every fact with its source), and per
 * reform the indicators that follow its target group with their development in the report's area, taken from the
 * report model. Renderer-neutral: it returns headings, paragraphs and tables of text (build-pdf.ts lays them out)
 * and the same rows as numbers for the workbook.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { formatCell, formatNumber, formatSigned, formatYearList, joinSwedish, printedDiff, roundsToZero, unitStyle } from './format.ts';
import type { ReportModel } from './model.ts';

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
  policy_area: ProgrammeArea;
  target_group_sv: string;
  /** `title_sv` and `unit` are filled from data/indicators.json by loadReforms, not written in the file. */
  indicators: { id: string; relation: 'direct' | 'proxy'; note_sv: string; title_sv?: string; unit?: string }[];
  /** Why no open indicator follows the reform (or its target group); required when `indicators` is empty. */
  no_indicator_sv?: string;
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
  sources: string[];
  verified: Verified;
}

export interface ReformProgramme {
  programme: {
    title_sv: string;
    period: [number, number];
    presented_sv: string;
    purpose_sv: string;
    followed_by_sv: string;
    delmos_sv: string;
    sources: string[];
    verified: Verified;
  };
  policy_areas: { id: ProgrammeArea; title_sv: string; sources: string[]; verified: Verified }[];
  reforms_verification_sv: string;
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
    if (!(b.kind in KIND_WORD)) problems.push(`budget #${i + 1}: kind "${String(b.kind)}" is not one of ${Object.keys(KIND_WORD).join(', ')}`);
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

export const REFORM_CHAPTER_TITLE = 'Reformprogrammet för minskad segregation';

const AREA_WORD: Record<ProgrammeArea, string> = {
  boende: 'Boende',
  utbildning: 'Utbildning',
  arbete: 'Arbete',
  demokrati: 'Demokrati och civilsamhälle',
  brottslighet: 'Brottslighet',
};

const VERIFIED_WORD: Record<Verified, string> = {
  primary: 'regeringens eller Delmos egen text',
  secondary: 'nyhetsartikel eller avskrift som anger regeringen som källa',
  unverified: 'inte kontrollerad',
};

const KIND_WORD: Record<BudgetEntry['kind'], string> = { aviserat: 'Aviserat 2016', utfall: 'Utfall', budget: 'Budget', förslag: 'Förslag i budgetproposition', beräknat: 'Beräknat i budgetproposition' };

function scopeName(model: ReportModel): string {
  return model.scope.level === 'riket' ? 'riket' : model.scope.name;
}

/** The chapter's content for one report: the programme, its reforms, the budget and the linked indicators. */
export function reformChapter(model: ReportModel, programme: ReformProgramme): ChapterBlock[] {
  const p = programme.programme;
  const sources = new Map(programme.sources.map((s) => [s.id, s]));
  const rows = reformIndicatorRows(model, programme);
  const out: ChapterBlock[] = [
    {
      kind: 'para',
      text: `${p.title_sv}. ${p.presented_sv} ${p.purpose_sv} Programmet omfattar fem politiska områden och tio reformer. ${p.followed_by_sv} ${p.delmos_sv}`,
    },
    { kind: 'h2', text: 'Fem politiska områden' },
    { kind: 'list', items: programme.policy_areas.map((a) => `${AREA_WORD[a.id]}: ${a.title_sv.charAt(0).toLowerCase()}${a.title_sv.slice(1)}`) },
    { kind: 'h2', text: 'De tio reformerna' },
    { kind: 'para', text: programme.reforms_verification_sv },
  ];

  out.push({
    kind: 'table',
    caption: 'Reformerna i reformprogrammet och indikatorerna som följer dem',
    header: ['Nr', 'Reform', 'Område', 'Indikatorer i rapporten'],
    numeric: [0],
    wide: 1,
    rows: [...programme.reforms]
      .sort((a, b) => a.n - b.n)
      .map((r) => [
        String(r.n),
        r.title_sv,
        AREA_WORD[r.policy_area],
        r.indicators.length === 0
          ? 'Inget öppet mått'
          : joinSwedish(r.indicators.map((i) => `${i.title_sv ?? i.id}${i.relation === 'proxy' ? ' (närliggande)' : ''}`)),
      ]),
    note: '"Närliggande" betyder att indikatorn följer samma område men inte reformens målgrupp.',
  });
  const without = programme.reforms.filter((r) => r.no_indicator_sv).sort((a, b) => a.n - b.n);
  if (without.length > 0) {
    out.push({ kind: 'para', text: 'Där det saknas ett öppet mått för reformens målgrupp:' });
    out.push({ kind: 'list', items: without.map((r) => `Reform ${r.n} (${r.target_group_sv.charAt(0).toLowerCase()}${r.target_group_sv.slice(1)}): ${r.no_indicator_sv ?? ''}`) });
  }

  out.push({ kind: 'h2', text: 'Budget' });
  const budgetRows: string[][] = [];
  for (const b of programme.budget) {
    for (const [i, msek] of b.msek.entries()) {
      const y = b.years[i] ?? null;
      budgetRows.push([
        y === null ? 'Vid lanseringen' : String(y),
        formatNumber(msek, 0),
        KIND_WORD[b.kind],
        joinSwedish(b.sources.map((s) => sources.get(s)?.publisher ?? s)),
      ]);
    }
  }
  out.push({
    kind: 'table',
    caption: 'Belopp för reformprogrammet och åtgärder mot segregation, miljoner kronor',
    header: ['År', 'Miljoner kronor', 'Slag', 'Källa'],
    numeric: [1],
    wide: 3,
    rows: budgetRows,
    note: programme.budget
      .map((b) => b.note_sv)
      .filter((n) => n !== '')
      .join(' '),
  });

  out.push({ kind: 'h2', text: `Indikatorerna för reformerna i ${scopeName(model)}` });
  const shown = rows.filter((r) => r.in_model);
  const missing = [...new Set(rows.filter((r) => !r.in_model).map((r) => r.title_sv))];
  if (shown.length === 0) {
    out.push({ kind: 'para', text: `Ingen av reformernas indikatorer har värden för ${scopeName(model)}.` });
  } else {
    const byIndicator = new Map<string, ReformIndicatorRow[]>();
    for (const r of shown) byIndicator.set(r.indicator_id, [...(byIndicator.get(r.indicator_id) ?? []), r]);
    const withGap = shown.some((r) => r.gap !== null);
    const tableRows = [...byIndicator.values()].map((rs) => {
      const r = rs[0] as ReformIndicatorRow;
      const u = unitStyle(r.unit);
      const cell = (v: number | null) => formatCell(v, r.unit);
      const change = r.change === null ? '..' : roundsToZero(r.change, u.decimals) ? formatNumber(0, u.decimals) : formatSigned(r.change, u.decimals);
      return [
        r.title_sv.toLowerCase().includes(u.label.toLowerCase().replace(/\u00a0/g, ' ')) ? r.title_sv : `${r.title_sv} (${u.label.toLowerCase()})`,
        formatYearList(rs.map((x) => x.reform_n)),
        r.first_year === null ? '..' : `${cell(r.first_value)} (${r.first_year})`,
        r.latest_year === null ? '..' : `${cell(r.latest_value)} (${r.latest_year})`,
        change,
        // Without a base-year gap only the latest one, with its year (no arrow from nothing).
        ...(withGap ? [r.gap === null ? '..' : r.gap_base === null ? `${formatSigned(r.gap, u.decimals)} (${r.gap_year ?? ''})` : `${formatSigned(r.gap_base, u.decimals)} → ${formatSigned(r.gap, u.decimals)}`] : []),
      ];
    });
    out.push({
      kind: 'table',
      caption: `Reformernas indikatorer i ${scopeName(model)}: första och senaste år med värde`,
      header: ['Indikator', 'Reform', 'Första år', 'Senaste år', 'Förändring', ...(withGap ? ['Skillnad mellan områdestyper'] : [])],
      numeric: withGap ? [2, 3, 4, 5] : [2, 3, 4],
      wide: 0,
      rows: tableRows,
      note:
        'Förändringen är skillnaden mellan senaste och första värdet i enhetens precision; om den är större än ' +
        'osäkerheten i värdena framgår av indikatorns kapitel; för andelar i procent är den i procentenheter. ' +
        (withGap ? 'Skillnad mellan områdestyper: de mest utsatta områdena mot de minst utsatta (typ 1 mot typ 5 där båda finns), i basåret → det senaste året, som i kapitlet Områdestyper. ' : '') +
        'Indikatorerna mäter utvecklingen i området, inte reformernas effekt.',
    });
  }
  if (missing.length > 0) out.push({ kind: 'para', text: `Utan värde för ${scopeName(model)} på den här nivån: ${joinSwedish(missing)}.` });

  const cited = [...new Set([...p.sources, ...programme.reforms.flatMap((r) => r.sources), ...programme.budget.flatMap((b) => b.sources)])];
  out.push({ kind: 'h2', text: 'Källor till kapitlet' });
  out.push({
    kind: 'list',
    items: cited.flatMap((id) => {
      const s = sources.get(id);
      return s ? [`${s.publisher}: ${s.title}. ${s.url}`] : [];
    }),
  });
  const levels = [...new Set([p.verified, ...programme.reforms.map((r) => r.verified), ...programme.budget.map((b) => b.verified)])];
  out.push({ kind: 'para', text: `Uppgifterna är kontrollerade mot: ${joinSwedish(levels.map((v) => VERIFIED_WORD[v]))}.` });
  return out;
}
