/**
 * The Kolada API v3 half of the emulator: /kpi, /municipality, /municipality_groups and
 * /data/kpi/{ids}/municipality/{ids}/year/{years}.
 * Shapes follow SOURCES.md §3 and the reconstructed v3 files in examples/real-responses/kolada-v3:
 * `{values, count, next_url?, previous_url?}` pages of at most 5000 items (`per_page` may lower it), `page=N`,
 * absolute `next_url`; KPI objects with exactly the twelve v3 keys; data items
 * `{kpi, municipality, period, values:[{gender, count, status, value}]}` with `value:null, status:"Missing"` for
 * gaps. Assumptions: `count` is the number of items on the page; a period the KPI does not cover is simply absent
 * (Kolada has no row for it), while a covered period without a value is "Missing"; errors are FastAPI-style
 * `{"detail": …}` bodies (v3 publishes /v3/docs and /v3/openapi.json, which FastAPI serves).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorldIndex } from './cubes.ts';
import type { Reply } from './emulator-pxweb.ts';
import { jsonReply } from './emulator-pxweb.ts';

const MAX_PER_PAGE = 5000;

/**
 * The KPIs the emulator serves: Kolada's real ids and titles, with the world's numbers. This is the emulator's own
 * list, not the project's catalogue: a catalogue naming a KPI Kolada lacks gets no data here either. Where
 * data/metadata/kolada/<id>.json holds the KPI as Kolada describes it, its fields are served (and its
 * municipality_type decides whether regions and riket have values); `years` are the years Kolada publishes.
 */
interface EmulatedKpi {
  id: string;
  title: string;
  description: string;
  operating_area: string;
  perspective: string;
  municipality_type: 'K' | 'L' | 'A';
  years: number[];
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const KPIS: EmulatedKpi[] = [
  { id: 'N05401', title: 'Valdeltagande i senaste kommunalvalet, andel (%)', description: 'Andel röstande i senaste valet till kommunfullmäktige av antal röstberättigade. Källa: Valmyndigheten.', operating_area: 'Demokrati', perspective: 'Resultat', municipality_type: 'A', years: [2018, 2022] },
  { id: 'N07540', title: 'Anmälda brott totalt, antal/100 000 inv', description: 'Antal anmälda brott totalt under året dividerat med antal invånare, gånger 100 000. Källa: Brå.', operating_area: 'Brott', perspective: 'Volymer', municipality_type: 'A', years: range(2016, 2025) },
  { id: 'N15428', title: 'Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)', description: 'Andel elever i årskurs 9 folkbokförda i kommunen som är behöriga till yrkesprogram. Källa: Skolverket.', operating_area: 'Grundskola', perspective: 'Resultat', municipality_type: 'A', years: range(2016, 2025) },
  { id: 'N00914', title: 'Förvärvsarbetande invånare 20-64 år, andel (%) (-2021)', description: 'Antal förvärvsarbetande invånare 20-64 år dividerat med antal invånare 20-64 år (RAMS). Källa: SCB.', operating_area: 'Arbetsmarknad', perspective: 'Resultat', municipality_type: 'A', years: range(2016, 2021) },
  { id: 'N02267', title: 'Sysselsättningsgrad 20-64 år, andel (%)', description: 'Antal sysselsatta 20-64 år dividerat med antal invånare 20-64 år (BAS). Källa: SCB.', operating_area: 'Arbetsmarknad', perspective: 'Resultat', municipality_type: 'A', years: range(2020, 2025) },
  { id: 'N02280', title: 'Arbetslöshet, 20-64 år, befolkningens arbetsmarknadsstatus (BAS), andel (%) (-2024)', description: 'Antal arbetslösa 20-64 år dividerat med arbetskraften 20-64 år (BAS). Källa: SCB.', operating_area: 'Arbetsmarknad', perspective: 'Resultat', municipality_type: 'A', years: range(2020, 2024) },
  { id: 'N07907', title: 'Trångboddhet i flerbostadshus, enligt norm 2, andel (%)', description: 'Andel personer i flerbostadshus som bor trångt enligt norm 2. Källa: SCB.', operating_area: 'Boende', perspective: 'Resultat', municipality_type: 'A', years: range(2016, 2025) },
  { id: 'N01951', title: 'Invånare totalt, antal', description: 'Antal invånare totalt den 31/12. Källa: SCB.', operating_area: 'Befolkning', perspective: 'Volymer', municipality_type: 'A', years: range(2016, 2025) },
];

/** Kolada's own description of a KPI where the project stores one (data/metadata/kolada). */
function storedKpi(dataDir: string | undefined, id: string): Record<string, unknown> | undefined {
  if (!dataDir) return undefined;
  const file = join(dataDir, 'metadata', 'kolada', `${id}.json`);
  if (!existsSync(file)) return undefined;
  const o = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('_')));
}

interface MunicipalityGroup {
  id: string;
  title: string;
  members: { member_id: string; member_title: string }[];
}

interface Municipality {
  id: string;
  title: string;
  type: 'K' | 'L';
  /** The code the PxWeb side uses for the same area: `00`, a län code or a kommun code. */
  served: string;
}

export class KoladaApi {
  private readonly municipalities: Municipality[];
  private readonly kpis: EmulatedKpi[];
  private readonly stored = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly index: WorldIndex,
    dataDir?: string,
  ) {
    this.kpis = KPIS.map((k) => {
      const s = storedKpi(dataDir, k.id);
      if (!s) return k;
      this.stored.set(k.id, s);
      const type = s.municipality_type;
      return { ...k, title: String(s.title ?? k.title), municipality_type: type === 'K' || type === 'L' ? type : 'A' };
    });
    // Kolada lists Riket as 0000 and each region as 00 + its län code (0001 Region Stockholm), then the kommuner.
    this.municipalities = [
      { id: '0000', title: 'Riket', type: 'L', served: '00' },
      ...index.lan.map((l) => ({ id: `00${l.code}`, title: regionTitle(l.name), type: 'L' as const, served: l.code })),
      ...index.kommuner.map((k) => ({ id: k.code, title: k.name, type: 'K' as const, served: k.code })),
    ];
  }

  handle(method: string, path: string, query: URLSearchParams, origin: string): Reply {
    if (method !== 'GET') return jsonReply(405, { detail: 'Method Not Allowed' });
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const paging = pagingOf(query);
    if (typeof paging === 'string') return jsonReply(400, { detail: paging });
    const self = (page: number): string => {
      const q = new URLSearchParams(query);
      q.set('page', String(page));
      q.set('per_page', String(paging.perPage));
      return `${origin}/v3/${parts.map(encodeURIComponent).join('/').replaceAll('%2C', ',')}?${q.toString()}`;
    };
    const head = parts[0];
    if (head === 'kpi' && parts.length <= 2) {
      const ids = parts[1]?.split(',');
      const title = query.get('title')?.toLowerCase();
      const list = this.kpis
        .filter((k) => !ids || ids.includes(k.id))
        .filter((k) => !title || k.title.toLowerCase().includes(title))
        .map((k) => this.kpiObject(k));
      return page(list, paging, self);
    }
    if (head === 'municipality' && parts.length <= 2) {
      const ids = parts[1]?.split(',');
      const title = query.get('title')?.toLowerCase();
      const type = query.get('type');
      const list = this.municipalities
        .filter((m) => !ids || ids.includes(m.id))
        .filter((m) => !title || m.title.toLowerCase().includes(title))
        .filter((m) => !type || m.type === type)
        .map((m) => ({ id: m.id, title: m.title, type: m.type }));
      return page(list, paging, self);
    }
    if (head === 'municipality_groups' && parts.length <= 2) {
      const ids = parts[1]?.split(',');
      const title = query.get('title')?.toLowerCase();
      const list = this.groups()
        .filter((g) => !ids || ids.includes(g.id))
        .filter((g) => !title || g.title.toLowerCase().includes(title));
      return page(list, paging, self);
    }
    if (head === 'data') return this.data(parts.slice(1), paging, self);
    return jsonReply(404, { detail: 'Not Found' });
  }

  private groupList: MunicipalityGroup[] | undefined;

  /**
   * Municipality groups as Kolada's v3 `/municipality_groups` lists them ({id, title, members:[{member_id,
   * member_title}]}, municipality_groups_first20_reconstructed.json): for every kommun "Liknande kommuner,
   * övergripande, <kommun>, <year>" (Kolada's title form, seen for Höör 2025) with its seven nearest kommuner in
   * the demo world (population, foreign background and low economic standard, standardised), for 2024 and 2025,
   * and a few groups of other kinds (the riket's metropolitan regions) that a client must not take for them.
   */
  private groups(): MunicipalityGroup[] {
    if (this.groupList) return this.groupList;
    const year = this.index.world.deso.has(2023) ? 2023 : Math.max(...this.index.world.deso.keys());
    const agg = this.index.desoAggregates(year);
    const feats = this.index.kommuner.flatMap((k) => {
      const c = agg?.get(k.code);
      return c && c.pop > 0 ? [{ code: k.code, name: k.name, f: [Math.log(c.pop), c.bg_foreign / c.pop, c.low_es / c.pop] }] : [];
    });
    const dims = [0, 1, 2].map((d) => {
      const xs = feats.map((x) => x.f[d] ?? 0);
      const mean = xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length || 1)) || 1;
      return { mean, sd };
    });
    const z = (x: (typeof feats)[number]): number[] => x.f.map((v, d) => (v - (dims[d]?.mean ?? 0)) / (dims[d]?.sd ?? 1));
    const out: MunicipalityGroup[] = [];
    let seq = 37000;
    for (const gYear of [2024, 2025]) {
      for (const k of feats) {
        const zk = z(k);
        const nearest = feats
          .filter((o) => o.code !== k.code)
          .map((o) => ({ o, d: z(o).reduce((a, v, i) => a + (v - (zk[i] ?? 0)) ** 2, 0) }))
          .sort((a, b) => a.d - b.d || (a.o.code < b.o.code ? -1 : 1))
          .slice(0, 7)
          .map(({ o }) => ({ member_id: o.code, member_title: o.name }));
        out.push({ id: `G${seq++}`, title: `Liknande kommuner, övergripande, ${k.name}, ${gYear}`, members: nearest });
      }
    }
    for (const [lan, title] of [['01', 'Stor-Stockholm (ovägt medel)'], ['12', 'Stor-Malmö (ovägt medel)'], ['14', 'Stor-Göteborg (ovägt medel)']] as const) {
      out.push({ id: `G${seq++}`, title, members: this.index.kommuner.filter((k) => k.lan_code === lan).map((k) => ({ member_id: k.code, member_title: k.name })) });
    }
    this.groupList = out;
    return out;
  }

  /** Publication fields moved on by a test, as Kolada changes them when it publishes (KPI id → fields). */
  private readonly releaseOverride = new Map<string, { publication_date?: string; publ_period?: string; prel_publication_date?: string | null }>();

  /** Sets a KPI's publication_date / publ_period / prel_publication_date as a new release of Kolada's would. */
  setRelease(id: string, fields: { publication_date?: string; publ_period?: string; prel_publication_date?: string | null }): void {
    if (!this.kpis.some((k) => k.id === id)) throw new Error(`emulator: no KPI ${id}`);
    this.releaseOverride.set(id, { ...this.releaseOverride.get(id), ...fields });
  }

  private kpiObject(k: EmulatedKpi): Record<string, unknown> {
    const o = this.kpiObjectAsStored(k);
    const moved = this.releaseOverride.get(k.id);
    return moved ? { ...o, ...moved } : o;
  }

  private kpiObjectAsStored(k: EmulatedKpi): Record<string, unknown> {
    const stored = this.stored.get(k.id);
    if (stored) return { ...stored, ...publicationFor(k, stored) };
    const last = k.years.at(-1) ?? 0;
    // The twelve keys v3 returns, in its order (kpi_first1800_reconstructed.json). We serve totals only, so no
    // KPI is divided by gender here even where the real one is.
    return {
      id: k.id,
      title: k.title,
      description: k.description,
      is_divided_by_gender: false,
      municipality_type: k.municipality_type,
      auspice: 'X',
      operating_area: k.operating_area,
      perspective: k.perspective,
      prel_publication_date: null,
      publication_date: `${last + 1}-04-01`,
      publ_period: String(last),
      has_ou_data: false,
    };
  }

  private data(parts: string[], paging: Paging, self: (page: number) => string): Reply {
    const sel: Record<string, string[]> = {};
    for (let i = 0; i < parts.length; i += 2) {
      const key = parts[i] ?? '';
      const val = parts[i + 1];
      if (!['kpi', 'municipality', 'year'].includes(key) || val === undefined || key in sel) return jsonReply(404, { detail: 'Not Found' });
      sel[key] = val.split(',').map((s) => s.trim()).filter(Boolean);
    }
    if (!sel.kpi && !sel.municipality) return jsonReply(404, { detail: 'Not Found' });
    const years = sel.year?.map(Number);
    if (years?.some((y) => !Number.isInteger(y))) return jsonReply(400, { detail: `year: expected integers, got "${sel.year?.join(',')}"` });
    const kpis = sel.kpi ? sel.kpi.map((id) => this.kpis.find((k) => k.id === id)).filter((k): k is EmulatedKpi => k !== undefined) : this.kpis;
    const munis = sel.municipality
      ? sel.municipality.map((id) => this.municipalities.find((m) => m.id === id)).filter((m): m is Municipality => m !== undefined)
      : this.municipalities;
    const items: Record<string, unknown>[] = [];
    for (const k of kpis) {
      const covered = k.years;
      const periods = (years ?? covered).filter((y) => covered.includes(y));
      // A kommun KPI (type K) has no values for regions and riket; a region KPI (L) none for kommuner.
      for (const m of munis.filter((x) => k.municipality_type === 'A' || (k.municipality_type === 'K') === (x.type === 'K'))) {
        for (const period of periods) {
          const v = this.value(k.id, m, period);
          items.push({
            kpi: k.id,
            municipality: m.id,
            period,
            values: [v === null ? { gender: 'T', count: 0, status: 'Missing', value: null } : { gender: 'T', count: 1, status: '', value: v }],
          });
        }
      }
    }
    return page(items, paging, self);
  }

  /** The KPI value for one area and year from the world's true counts; null where Kolada would say Missing. */
  private value(kpi: string, m: Municipality, year: number): number | null {
    const { deso: d, kommun: k } = this.index.counts(m.served, year);
    const share = (num: number, den: number, scale = 100): number | null => (den > 0 ? Math.round((num / den) * scale * 10) / 10 : null);
    switch (kpi) {
      case 'N05401': return d ? share(d.voters_voted, d.voters_eligible) : null;
      case 'N07540': return d && k ? share(k.crimes_reported, d.pop, 100_000) : null;
      // Skolverket does not publish results resting on fewer than 10 pupils.
      case 'N15428': return !k || k.pupils_9 < 10 ? null : share(k.pupils_9_eligible, k.pupils_9);
      // The world has one employment register; RAMS (N00914) and BAS (N02267) differ in reality by about 0.5 points.
      case 'N00914':
      case 'N02267': return d ? share(d.emp_20_64, d.pop_20_64) : null;
      case 'N02280': return d ? share(d.unemp_20_64, d.emp_20_64 + d.unemp_20_64) : null;
      case 'N07907': return k ? share(k.crowd_norm2, k.crowd_pop - k.crowd_unknown) : null;
      case 'N01951': return d && d.pop > 0 ? d.pop : null;
      default: return null;
    }
  }
}

/**
 * Kolada's publication fields as they fit the data served: the stored description is real Kolada's (publ_period 2026
 * for a KPI whose 2026 values are out), but the world holds fewer years. publ_period becomes the last year served and
 * the stored dates move back by as many years (N15428: 2026 published 2026-09-25 → 2025 published 2025-09-25); a
 * description without them gets 1 April after the last year, as a KPI the project stores nothing for.
 */
function publicationFor(k: EmulatedKpi, stored: Record<string, unknown>): Record<string, unknown> {
  const last = k.years.at(-1) ?? 0;
  const period = Number(stored.publ_period);
  const shift = (d: unknown, years: number): unknown =>
    typeof d === 'string' && /^\d{4}-/.test(d) ? `${Number(d.slice(0, 4)) - years}${d.slice(4)}` : d;
  if (typeof stored.publ_period !== 'string' || !/^\d{4}$/.test(stored.publ_period) || typeof stored.publication_date !== 'string') {
    return { publ_period: String(last), publication_date: `${last + 1}-04-01`, prel_publication_date: null };
  }
  const back = period - last;
  if (back <= 0) return {};
  return { publ_period: String(last), publication_date: shift(stored.publication_date, back), prel_publication_date: shift(stored.prel_publication_date, back) };
}

interface Paging {
  page: number;
  perPage: number;
}

function pagingOf(query: URLSearchParams): Paging | string {
  const page = Number(query.get('page') ?? 1);
  const perPage = Number(query.get('per_page') ?? MAX_PER_PAGE);
  if (!Number.isInteger(page) || page < 1) return `page: expected a positive integer, got "${query.get('page')}"`;
  if (!Number.isInteger(perPage) || perPage < 1) return `per_page: expected a positive integer, got "${query.get('per_page')}"`;
  return { page, perPage: Math.min(perPage, MAX_PER_PAGE) };
}

function page(items: unknown[], paging: Paging, self: (page: number) => string): Reply {
  const start = (paging.page - 1) * paging.perPage;
  const values = items.slice(start, start + paging.perPage);
  const out: Record<string, unknown> = { values, count: values.length };
  if (start + paging.perPage < items.length) out.next_url = self(paging.page + 1);
  if (paging.page > 1) out.previous_url = self(paging.page - 1);
  return jsonReply(200, out);
}

/** "Stockholms län" → "Region Stockholm": close to Kolada's titles without a list of the real ones. */
function regionTitle(lanName: string): string {
  const base = lanName.replace(/ län$/, '');
  return `Region ${base.endsWith('s') && base !== lanName ? base.slice(0, -1) : base}`;
}
