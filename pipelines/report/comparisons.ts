/**
 * A kommun set beside others: its rank among all kommuner and within its län, and its similar kommuner (Kolada's
 * municipality groups "Liknande kommuner, övergripande, <kommun>, <year>") as a band of their values per year.
 * Everything here works on rows the report stage read once per stage; nothing queries.
 */
import type { IndicatorRank, SimilarKommuner } from './model.ts';
import { wording, type Lang } from './wording.ts';
import { derivedOnce, groupBy } from '../collections.ts';

/**
 * Competition ranking (1, 2, 2, 4) by value, highest first, over the values as printed (`decimals`): kommuner
 * whose printed values are equal share a rank, and `ties` counts the others sharing it. Kommuner without a value
 * are not ranked and not counted in n. Null rank when the kommun itself has no value.
 */
export function rankAmong(rows: readonly { code: string; value: number | null }[], code: string, decimals: number): { rank: number | null; n: number; ties: number } {
  const printed = (v: number): number => Number(v.toFixed(decimals));
  const valued = rows.flatMap((r) => (r.value === null ? [] : [printed(r.value)]));
  const own = rows.find((r) => r.code === code)?.value;
  if (own === null || own === undefined) return { rank: null, n: valued.length, ties: 0 };
  const mine = printed(own);
  return { rank: valued.filter((v) => v > mine).length + 1, n: valued.length, ties: valued.filter((v) => v === mine).length - 1 };
}

/**
 * rankAmong's answer for any kommun of one set of rows at once: the printed values sorted, and each code's own
 * (its first row's) printed value. Null when a value prints as NaN, which sorting cannot place (rankAmong then).
 */
interface RankTable {
  sorted: Float64Array;
  own: Map<string, number | null>;
}

function rankTable(rows: readonly { code: string; value: number | null }[], decimals: number): RankTable | null {
  const valued: number[] = [];
  const own = new Map<string, number | null>();
  for (const r of rows) {
    const p = r.value === null ? null : Number(r.value.toFixed(decimals));
    if (p !== null) {
      if (Number.isNaN(p)) return null;
      valued.push(p);
    }
    if (!own.has(r.code)) own.set(r.code, p);
  }
  return { sorted: Float64Array.from(valued).sort(), own };
}

/** How many of the ascending `sorted` are below `v` (strict) or, with `orEqual`, not above it. */
function countBelow(sorted: Float64Array, v: number, orEqual: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid] as number;
    if (x < v || (orEqual && x === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** rankAmong from a rank table: the same rank, n and ties. */
function rankFrom(t: RankTable, code: string): { rank: number | null; n: number; ties: number } {
  const n = t.sorted.length;
  const mine = t.own.get(code);
  if (mine === null || mine === undefined) return { rank: null, n, ties: 0 };
  const notAbove = countBelow(t.sorted, mine, true);
  return { rank: n - notAbove + 1, n, ties: notAbove - countBelow(t.sorted, mine, false) - 1 };
}

/**
 * Rank tables of rows a report stage reads once and every kommun report ranks itself in (all kommuner, and each
 * län's), by decimals: made once, not sorted again for each of 290 kommuner.
 */
const rankTables = new WeakMap<readonly object[], Map<string, RankTable | null>>();

function tableOf(rows: readonly { code: string; lan_code: string; value: number | null }[], decimals: number, lan: string | null): RankTable | null {
  const tables = derivedOnce(rankTables, rows, () => new Map<string, RankTable | null>());
  const key = `${decimals}\u0000${lan ?? ''}`;
  let t = tables.get(key);
  if (t === undefined) {
    t = rankTable(lan === null ? rows : rows.filter((r) => r.lan_code === lan), decimals);
    tables.set(key, t);
  }
  return t;
}

/**
 * The kommun's rank among all kommuner and among those of its län (the first two digits of the code), as rankAmong
 * gives them. The rows are taken as unchanging: the same array ranks from the same tables.
 */
export function indicatorRank(rows: readonly { code: string; lan_code: string; value: number | null }[], code: string, year: number, decimals: number): IndicatorRank {
  const lanCode = code.slice(0, 2);
  const riketTable = tableOf(rows, decimals, null);
  const lanTable = tableOf(rows, decimals, lanCode);
  const riket = riketTable ? rankFrom(riketTable, code) : rankAmong(rows, code, decimals);
  const lan = lanTable
    ? rankFrom(lanTable, code)
    : rankAmong(
        rows.filter((r) => r.lan_code === lanCode),
        code,
        decimals,
      );
  return { year, rank_riket: riket.rank, n_riket: riket.n, ties_riket: riket.ties, rank_lan: lan.rank, n_lan: lan.n, ties_lan: lan.ties };
}

export interface GroupRow {
  group_id: string;
  title: string;
  member_code: string;
  member_name: string;
}

/**
 * The kommun's group of similar kommuner: Kolada's "Liknande kommuner, övergripande, <name>, <year>" with the latest
 * year up to the report year (the latest of all when none is that old), else the older "Liknande kommuner
 * socioekonomi, <name>, <year>". The kommun itself is left out of the members. Undefined when Kolada has none.
 */
export function similarGroup(rows: readonly GroupRow[], kommun: { code: string; name: string }, year: number): { group_id: string; title: string; members: { code: string; name: string }[] } | undefined {
  const index = groupIndex(rows);
  for (const kind of GROUP_KINDS) {
    const groups = index.titles.get(`${kind}\u0000${kommun.name}`);
    if (!groups) continue;
    const sorted = [...groups.entries()].sort((a, b) => b[1].year - a[1].year);
    const pick = sorted.find(([, g]) => g.year <= year) ?? sorted[sorted.length - 1];
    if (!pick) continue;
    const [id, g] = pick;
    const members = (index.members.get(id) ?? []).filter((r) => r.member_code !== kommun.code).map((r) => ({ code: r.member_code, name: r.member_name }));
    if (members.length > 0) return { group_id: id, title: g.title, members };
  }
  return undefined;
}

/** The kinds of group similarGroup takes, in the order it prefers them. */
const GROUP_KINDS = ['övergripande', 'socioekonomi'] as const;

/** "Liknande kommuner[,] <kind>, <kommun name>, <year>": the name is all between the kind and the year. */
const GROUP_TITLE = /^Liknande kommuner,? (övergripande|socioekonomi), (.+), (\d{4})$/;

interface GroupIndex {
  /** By kind and kommun name: the groups with such a title, by group id in the rows' order, with the last row's title and year. */
  titles: Map<string, Map<string, { title: string; year: number }>>;
  /** Each group's rows, in the rows' order. */
  members: Map<string, GroupRow[]>;
}

/**
 * The groups' titles parsed once for every kommun of a run (the report stage reads the rows once and asks for each
 * of 290 kommuner), instead of matching every title against each kommun's name. The rows are taken as unchanging.
 */
const groupIndexes = new WeakMap<readonly GroupRow[], GroupIndex>();

function groupIndex(rows: readonly GroupRow[]): GroupIndex {
  return derivedOnce(groupIndexes, rows, () => {
    const titles: GroupIndex['titles'] = new Map();
    for (const r of rows) {
      const m = GROUP_TITLE.exec(r.title);
      if (!m) continue;
      const key = `${m[1] ?? ''}\u0000${m[2] ?? ''}`;
      let groups = titles.get(key);
      if (!groups) titles.set(key, (groups = new Map()));
      groups.set(r.group_id, { title: r.title, year: Number(m[3]) });
    }
    return { titles, members: groupBy(rows, (r) => r.group_id) };
  });
}

/** Per year, the members' lowest, median and highest value and how many members had one (years with none are left out). */
export function similarBand(group: { group_id: string; title: string; members: { code: string; name: string }[] }, values: readonly { code: string; year: number; value: number | null }[]): SimilarKommuner {
  const members = new Set(group.members.map((m) => m.code));
  const byYear = new Map<number, number[]>();
  for (const v of values) {
    if (!members.has(v.code) || v.value === null) continue;
    byYear.set(v.year, [...(byYear.get(v.year) ?? []), v.value]);
  }
  const band = [...byYear.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([year, vs]) => {
      const s = [...vs].sort((a, b) => a - b);
      const mid = Math.floor(s.length / 2);
      const median = s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
      return { year, min: s[0] ?? null, median, max: s[s.length - 1] ?? null, n: s.length };
    });
  return { group_id: group.group_id, group_title: group.title, members: group.members, band };
}

/** "3:e av 290 (delad med 1 annan)" for running text and tables. */
export function rankText(rank: number | null, n: number, ties: number, lang: Lang = 'sv'): string {
  const w = wording(lang);
  if (rank === null) return w.t('comparisons.rank.none', { n });
  const tie = ties > 0 ? ` (${w.t('comparisons.rank.shared', { count: ties })})` : '';
  return `${w.t('comparisons.rank.of', { rank, n })}${tie}`;
}

/**
 * What a trend chart's comparison lines are, and the kommun's rank, for the figure caption: empty when the block has
 * neither. Ranks count kommuner with a value in the latest year, 1 for the highest value (whether high is good or
 * bad depends on the indicator), ties sharing a rank.
 */
export function comparisonCaption(
  block: { comparison_series?: { name: string; level: 'lan' | 'riket' }[]; similar?: SimilarKommuner; rank?: IndicatorRank },
  scopeName: string,
  lanName?: string,
  lang: Lang = 'sv',
): string {
  const w = wording(lang);
  const parts: string[] = [];
  const lines = block.comparison_series ?? [];
  if (lines.length || block.similar) {
    const keys = [w.t('comparisons.caption.own', { name: scopeName })];
    for (const l of lines) keys.push(l.level === 'lan' ? w.t('comparisons.caption.lan', { name: l.name }) : w.t('comparisons.caption.riket'));
    if (block.similar) {
      keys.push(w.t('comparisons.caption.similar', { n: block.similar.members.length, group: block.similar.group_title }));
    }
    parts.push(` ${keys.join('; ').replace(/^./, (c) => c.toUpperCase())}. ${w.t('comparisons.caption.workbook')}`);
  }
  const r = block.rank;
  if (r) {
    const lan = lanName ?? lines.find((l) => l.level === 'lan')?.name ?? w.t('areaTypes.scopeNoun.lan');
    parts.push(
      ` ${w.t('comparisons.caption.rank', { year: r.year, riket: rankText(r.rank_riket, r.n_riket, r.ties_riket, lang), lan, inLan: rankText(r.rank_lan, r.n_lan, r.ties_lan, lang) })}`,
    );
  }
  return parts.join('');
}
