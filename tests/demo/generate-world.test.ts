import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../pipelines/demo/generate-world.ts';
import { desoVersionFor, type AreaRecord, type DemoWorld, type DesoCounts } from '../../pipelines/demo/world.ts';

/**
 * Realism checks against the project's realism targets (a note kept outside the repository; each figure a test
 * uses is stated in the test). Tolerances are what the generator is built to hit, not what it happens to hit
 * today: a published figure gets a band around it, an inferred one a wider band.
 */

let world: DemoWorld;
let seconds = 0;

beforeAll(() => {
  const t0 = performance.now();
  world = generateWorld();
  seconds = (performance.now() - t0) / 1000;
});

const YEARS = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];

function areasOf(version: AreaRecord['version']): AreaRecord[] {
  return world.areas.filter((a) => a.version === version);
}

function total(year: number, f: (c: DesoCounts) => number): number {
  let s = 0;
  for (const c of world.deso.get(year)!.values()) s += f(c);
  return s;
}

function kommunTotals(year: number): Map<string, DesoCounts> {
  const kommunOf = new Map(areasOf(desoVersionFor(year)).map((a) => [a.code, a.kommun_code!]));
  const out = new Map<string, DesoCounts>();
  for (const [code, c] of world.deso.get(year)!) {
    const k = kommunOf.get(code)!;
    const acc = out.get(k);
    if (!acc) out.set(k, { ...c });
    else for (const key of Object.keys(c) as (keyof DesoCounts)[]) acc[key] += c[key];
  }
  return out;
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round(p * (s.length - 1))]!;
}

/** A canonical digest of the whole world (Maps flattened in insertion order). */
function digest(w: DemoWorld): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ seed: w.seed, years: w.years, areas: w.areas, crosswalk: w.crosswalk }));
  for (const [year, m] of w.deso) for (const [code, c] of m) h.update(`${year}${code}${Object.values(c).join(',')}`);
  for (const [year, m] of w.kommun) for (const [code, c] of m) h.update(`${year}${code}${Object.values(c).join(',')}`);
  return h.digest('hex');
}

describe('generateWorld: determinism and speed', () => {
  it('builds the whole world well under 3 s', () => {
    expect(seconds).toBeLessThan(3);
  });

  it('gives an identical world for the same seed', () => {
    const again = generateWorld();
    expect(again.areas).toEqual(world.areas);
    expect(again.crosswalk).toEqual(world.crosswalk);
    expect(again.deso).toEqual(world.deso);
    expect(again.kommun).toEqual(world.kommun);
    expect(digest(again)).toBe(digest(world));
  });

  it('keeps a stable checksum of a few totals (update on purpose when the model changes)', () => {
    const totals = [
      total(2017, (c) => c.pop),
      total(2017, (c) => c.bg_foreign),
      total(2020, (c) => c.emp_20_64),
      total(2022, (c) => c.voters_voted),
      total(2024, (c) => c.low_es),
      world.crosswalk.length,
      [...world.kommun.get(2022)!.values()].reduce((s, k) => s + k.crimes_reported + k.pupils_9_eligible, 0),
    ];
    expect(totals[0]).toBe(10_120_242);
    expect(createHash('sha256').update(totals.join(',')).digest('hex').slice(0, 16)).toBe(EXPECTED_CHECKSUM);
  });

  it('gives different values for a different seed, on the same real frame', () => {
    const other = generateWorld(1);
    expect(other.seed).toBe(1);
    expect(digest(other)).not.toBe(digest(world));
    const a = world.deso.get(2022)!;
    const b = other.deso.get(2022)!;
    // Riket population is calibrated, so it is equal; what lives inside the DeSO is not.
    expect(total(2022, (c) => c.pop)).toBe([...b.values()].reduce((s, c) => s + c.pop, 0));
    const fbA = [...a.values()].reduce((s, c) => s + c.bg_foreign, 0);
    const empA = [...a.values()].reduce((s, c) => s + c.emp_20_64, 0);
    const empB = [...b.values()].reduce((s, c) => s + c.emp_20_64, 0);
    expect(fbA).toBeGreaterThan(0);
    expect(empA).not.toBe(empB);
  });
});

/** Set from a run of the generator; a deliberate model change updates it (and says so in the commit). */
const EXPECTED_CHECKSUM = '4edb3d019fcd7d5a';

describe('generateWorld: areas and codes', () => {
  it('has riket, the 21 län and 290 kommuner', () => {
    expect(areasOf('riket')).toEqual([{ code: '00', level: 'riket', version: 'riket', name: 'Riket', kommun_code: null, lan_code: null, regso_code: null }]);
    expect(areasOf('lan1998')).toHaveLength(21);
    expect(areasOf('kommun2003')).toHaveLength(290);
    expect(areasOf('lan1998').find((a) => a.code === '01')?.name).toBe('Stockholms län');
    expect(areasOf('kommun2003').find((a) => a.code === '2403')?.name).toBe('Bjurholm');
    expect(areasOf('kommun2003').find((a) => a.code === '2460')?.name).toBe('Vännäs');
  });

  it('has ≈5,984 DeSO2018, ≈6,160 DeSO2025 and 3,363 RegSO in both RegSO versions', () => {
    const d18 = areasOf('DeSO2018').length;
    const d25 = areasOf('DeSO2025').length;
    expect(d18).toBeGreaterThanOrEqual(5_900);
    expect(d18).toBeLessThanOrEqual(6_100);
    expect(d25).toBeGreaterThanOrEqual(6_100);
    expect(d25).toBeLessThanOrEqual(6_250);
    const r20 = areasOf('RegSO2020').map((a) => a.code);
    const r25 = areasOf('RegSO2025').map((a) => a.code);
    expect(r20.length).toBeGreaterThanOrEqual(3_300);
    expect(r20.length).toBeLessThanOrEqual(3_420);
    expect(r25).toEqual(r20);
  });

  it('uses real code patterns, inside the right kommun', () => {
    const kommuner = new Map(areasOf('kommun2003').map((a) => [a.code, a.lan_code]));
    const kommunName = new Map(areasOf('kommun2003').map((a) => [a.code, a.name]));
    for (const a of [...areasOf('DeSO2018'), ...areasOf('DeSO2025')]) {
      expect(a.code).toMatch(/^\d{4}[ABC]\d{3}0$/);
      expect(a.code.slice(0, 4)).toBe(a.kommun_code);
      expect(a.lan_code).toBe(kommuner.get(a.kommun_code!));
      expect(a.regso_code?.slice(0, 4)).toBe(a.kommun_code);
      // Synthetic areas must not look like real places: names are the kommun plus the code's tail.
      expect(a.name).toBe(`${kommunName.get(a.kommun_code!)} ${a.code.slice(4)}`);
    }
    for (const a of areasOf('RegSO2020')) {
      expect(a.code).toMatch(/^\d{4}R\d{3}$/);
      expect(a.name).toBe(`${kommunName.get(a.kommun_code!)} RegSO ${a.code.slice(5)}`);
    }
    expect(new Set(areasOf('DeSO2018').map((a) => a.code)).size).toBe(areasOf('DeSO2018').length);
    expect(new Set(areasOf('DeSO2025').map((a) => a.code)).size).toBe(areasOf('DeSO2025').length);
  });

  it('has the A/B/C mix of the real key (≈18/10/72 %)', () => {
    const d = areasOf('DeSO2018');
    const share = (l: string): number => d.filter((a) => a.code[4] === l).length / d.length;
    expect(share('A')).toBeGreaterThan(0.14);
    expect(share('A')).toBeLessThan(0.22);
    expect(share('B')).toBeGreaterThan(0.07);
    expect(share('B')).toBeLessThan(0.13);
    expect(share('C')).toBeGreaterThan(0.67);
    expect(share('C')).toBeLessThan(0.77);
  });

  it('has realistic DeSO and RegSO counts per kommun', () => {
    const d = areasOf('DeSO2018');
    const perKommun = new Map<string, number>();
    for (const a of d) perKommun.set(a.kommun_code!, (perKommun.get(a.kommun_code!) ?? 0) + 1);
    expect(perKommun.size).toBe(290);
    expect(perKommun.get('0180')).toBe(544);
    expect(perKommun.get('1480')).toBe(306);
    expect(perKommun.get('1280')).toBe(192);
    expect(perKommun.get('2403')).toBe(2);
    expect(perKommun.get('2460')).toBe(5);
    const counts = [...perKommun.values()];
    expect(Math.min(...counts)).toBe(2);
    expect(quantile(counts, 0.5)).toBeGreaterThanOrEqual(8);
    expect(quantile(counts, 0.5)).toBeLessThanOrEqual(12);

    const regsoPerKommun = new Map<string, number>();
    for (const a of areasOf('RegSO2020')) regsoPerKommun.set(a.kommun_code!, (regsoPerKommun.get(a.kommun_code!) ?? 0) + 1);
    expect(regsoPerKommun.get('0180')).toBe(127);
    expect(regsoPerKommun.get('1480')).toBe(147);
    expect(Math.min(...regsoPerKommun.values())).toBe(2);
  });

  it('builds each RegSO from 1–13 whole DeSO, ≈1.78 on average, about half of them single', () => {
    const perRegso = new Map<string, number>();
    for (const a of areasOf('DeSO2018')) perRegso.set(a.regso_code!, (perRegso.get(a.regso_code!) ?? 0) + 1);
    expect(perRegso.size).toBe(areasOf('RegSO2020').length);
    const sizes = [...perRegso.values()];
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(13);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(1.65);
    expect(mean).toBeLessThan(1.9);
    const single = sizes.filter((s) => s === 1).length / sizes.length;
    expect(single).toBeGreaterThan(0.45);
    expect(single).toBeLessThan(0.6);
  });
});

describe('generateWorld: the 2025 DeSO revision', () => {
  it('has crosswalk weights that sum to 1 per DeSO2018 area', () => {
    const sums = new Map<string, number>();
    for (const c of world.crosswalk) {
      expect(c.from_version).toBe('DeSO2018');
      expect(c.to_version).toBe('DeSO2025');
      expect(c.weight).toBeGreaterThan(0);
      expect(c.weight).toBeLessThanOrEqual(1);
      sums.set(c.from_code, (sums.get(c.from_code) ?? 0) + c.weight);
    }
    expect(sums.size).toBe(areasOf('DeSO2018').length);
    for (const s of sums.values()) expect(s).toBeCloseTo(1, 12);
  });

  it('keeps unchanged codes, splits ≈170 grown areas into new codes in their RegSO', () => {
    const d18 = new Map(areasOf('DeSO2018').map((a) => [a.code, a]));
    const d25 = new Map(areasOf('DeSO2025').map((a) => [a.code, a]));
    const targets = new Set(world.crosswalk.map((c) => c.to_code));
    expect(targets).toEqual(new Set(d25.keys()));
    const byFrom = new Map<string, string[]>();
    for (const c of world.crosswalk) byFrom.set(c.from_code, [...(byFrom.get(c.from_code) ?? []), c.to_code]);
    let split = 0;
    for (const [from, tos] of byFrom) {
      if (tos.length === 1) {
        expect(tos[0]).toBe(from);
        continue;
      }
      split++;
      const parent = d18.get(from)!;
      for (const to of tos) {
        expect(d18.has(to)).toBe(false);
        expect(to[4]).toBe(from[4]);
        expect(d25.get(to)!.regso_code).toBe(parent.regso_code);
      }
    }
    expect(split).toBeGreaterThan(150);
    expect(split).toBeLessThan(200);
  });

  it('splits only areas in growing kommuner, and the parts add up to the parent', () => {
    const t23 = kommunTotals(2023);
    const t17 = kommunTotals(2017);
    const y24 = world.deso.get(2024)!;
    const y23 = world.deso.get(2023)!;
    const byFrom = new Map<string, string[]>();
    for (const c of world.crosswalk) byFrom.set(c.from_code, [...(byFrom.get(c.from_code) ?? []), c.to_code]);
    for (const [from, tos] of byFrom) {
      if (tos.length === 1) continue;
      const k = from.slice(0, 4);
      expect(t23.get(k)!.pop).toBeGreaterThan(t17.get(k)!.pop);
      expect(y23.get(from)!.pop).toBeGreaterThan(2_000);
      for (const to of tos) expect(y24.get(to)!.pop).toBeGreaterThan(0);
    }
  });
});

describe('generateWorld: counts are internally consistent', () => {
  it('has every DeSO of the valid version in every year, and nothing else', () => {
    expect(world.years).toEqual(YEARS);
    expect([...world.deso.keys()]).toEqual(YEARS);
    expect([...world.kommun.keys()]).toEqual(YEARS);
    for (const year of YEARS) {
      const codes = areasOf(desoVersionFor(year)).map((a) => a.code).sort();
      expect([...world.deso.get(year)!.keys()].sort()).toEqual(codes);
      expect(world.kommun.get(year)!.size).toBe(290);
    }
  });

  it('obeys every accounting rule in every DeSO and year', () => {
    const bad: string[] = [];
    for (const [year, m] of world.deso) {
      for (const [code, c] of m) {
        const fail = (rule: string): void => void bad.push(`${year} ${code}: ${rule}`);
        for (const [k, v] of Object.entries(c)) if (!Number.isInteger(v) || v < 0) fail(`${k}=${v}`);
        if (c.bg_foreign + c.bg_swedish !== c.pop) fail('background');
        if (c.q1 + c.q2 + c.q3 + c.q4 + c.q5 !== c.pop) fail('quintiles');
        if (c.low_es > c.pop) fail('low_es');
        if (c.pop_20_64 > c.pop) fail('pop_20_64');
        if (c.emp_20_64 + c.unemp_20_64 > c.pop_20_64) fail('emp+unemp');
        if (c.ltu_20_64 > c.unemp_20_64) fail('ltu');
        if (c.ea_20_64 > c.pop_20_64) fail('ea');
        if (c.ea_or_ltu_20_64 < Math.max(c.ea_20_64, c.ltu_20_64) || c.ea_or_ltu_20_64 > c.ea_20_64 + c.ltu_20_64) fail('ea_or_ltu');
        if (c.pre_20_64 > c.pop_20_64) fail('pre_20_64');
        if (c.edu_pre + c.edu_upper + c.edu_post_short + c.edu_post_long + c.edu_missing !== c.edu_pop) fail('edu parts');
        if (c.edu_pop > c.pop) fail('edu_pop');
        if (c.dw_rental + c.dw_condo + c.dw_owner + c.dw_unknown <= 0) fail('dwellings');
        if (year === 2018 || year === 2022) {
          if (c.voters_eligible <= 0 || c.voters_eligible > c.pop) fail('voters_eligible');
        } else if (c.voters_eligible !== 0 || c.voters_voted !== 0) fail('voters outside election year');
        if (c.voters_voted > c.voters_eligible) fail('voters_voted');
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('has consistent kommun-only counts', () => {
    for (const [year, m] of world.kommun) {
      const pops = kommunTotals(year);
      for (const [code, k] of m) {
        for (const v of Object.values(k)) expect(Number.isInteger(v) && v >= 0).toBe(true);
        expect(k.crowd_pop).toBeLessThanOrEqual(pops.get(code)!.pop);
        expect(k.crowd_norm2 + k.crowd_unknown).toBeLessThanOrEqual(k.crowd_pop);
        expect(k.pupils_9_eligible).toBeLessThanOrEqual(k.pupils_9);
        expect(k.pupils_9).toBeGreaterThan(0);
      }
    }
  });
});

describe('generateWorld: population matches the published figures', () => {
  it('has riket within 1 % of SCB every year (2017 10,120,242; 2024 10,587,710) and growing', () => {
    const published: Record<number, number> = { 2017: 10_120_242, 2019: 10_327_589, 2020: 10_379_295, 2021: 10_452_326, 2022: 10_521_556, 2023: 10_551_707, 2024: 10_587_710 };
    for (const [year, p] of Object.entries(published)) expect(Math.abs(total(Number(year), (c) => c.pop) / p - 1)).toBeLessThan(0.01);
    for (let i = 1; i < YEARS.length; i++) expect(total(YEARS[i]!, (c) => c.pop)).toBeGreaterThan(total(YEARS[i - 1]!, (c) => c.pop));
  });

  it('has kommun sizes like the real ones (Stockholm, Göteborg, Malmö, Bjurholm; median ≈16k)', () => {
    const k17 = kommunTotals(2017);
    const k21 = kommunTotals(2021);
    expect(Math.abs(k17.get('0180')!.pop / 949_761 - 1)).toBeLessThan(0.01);
    expect(Math.abs(k21.get('0180')!.pop / 978_770 - 1)).toBeLessThan(0.01);
    expect(Math.abs(k17.get('1480')!.pop / 564_039 - 1)).toBeLessThan(0.01);
    expect(Math.abs(k17.get('1280')!.pop / 333_633 - 1)).toBeLessThan(0.01);
    expect(Math.abs(k17.get('2403')!.pop / 2_451 - 1)).toBeLessThan(0.02);
    expect(k21.get('2403')!.pop).toBeLessThan(k17.get('2403')!.pop);
    const pops = [...k17.values()].map((c) => c.pop);
    expect(Math.min(...pops)).toBeLessThan(3_000);
    expect(quantile(pops, 0.5)).toBeGreaterThan(14_000);
    expect(quantile(pops, 0.5)).toBeLessThan(18_000);
  });

  it('has DeSO of 700–2,700-ish inhabitants', () => {
    const pops = [...world.deso.get(2017)!.values()].map((c) => c.pop);
    expect(quantile(pops, 0.01)).toBeGreaterThan(600);
    expect(quantile(pops, 0.99)).toBeLessThan(3_000);
    expect(Math.min(...pops)).toBeGreaterThan(400);
    const pops24 = [...world.deso.get(2024)!.values()].map((c) => c.pop);
    expect(quantile(pops24, 0.99)).toBeLessThan(3_300);
  });
});

describe('generateWorld: indicator levels, spread and trends', () => {
  const share = (year: number, num: (c: DesoCounts) => number, den: (c: DesoCounts) => number): number => total(year, num) / total(year, den);

  it('has foreign background ≈24 % in 2017 rising to ≈27.5 % in 2024, kommuner 8–60 %', () => {
    const fb = YEARS.map((y) => share(y, (c) => c.bg_foreign, (c) => c.pop));
    expect(fb[0]).toBeGreaterThan(0.22);
    expect(fb[0]).toBeLessThan(0.26);
    expect(fb[7]).toBeGreaterThan(0.26);
    expect(fb[7]).toBeLessThan(0.29);
    for (let i = 1; i < fb.length; i++) expect(fb[i]!).toBeGreaterThan(fb[i - 1]!);
    const k = [...kommunTotals(2018).values()].map((c) => c.bg_foreign / c.pop);
    expect(Math.min(...k)).toBeLessThan(0.12);
    expect(Math.min(...k)).toBeGreaterThan(0.05);
    expect(Math.max(...k)).toBeGreaterThan(0.45);
    expect(Math.max(...k)).toBeLessThan(0.66);
    const botkyrka = kommunTotals(2018).get('0127')!;
    expect(botkyrka.bg_foreign / botkyrka.pop).toBeGreaterThan(0.55);
    // Type-1-like DeSO reach 80–90 %.
    const d = [...world.deso.get(2022)!.values()].map((c) => c.bg_foreign / c.pop);
    expect(quantile(d, 0.995)).toBeGreaterThan(0.8);
  });

  it('has employment 20–64 ≈80–82 % with a 2020 dip, wide kommun and DeSO spread', () => {
    const emp = YEARS.map((y) => share(y, (c) => c.emp_20_64, (c) => c.pop_20_64));
    for (const e of emp) {
      expect(e).toBeGreaterThan(0.78);
      expect(e).toBeLessThan(0.84);
    }
    expect(emp[3]!).toBeLessThan(emp[2]! - 0.01);
    expect(emp[6]!).toBeGreaterThan(emp[0]!);
    const k = [...kommunTotals(2019).values()].map((c) => c.emp_20_64 / c.pop_20_64);
    expect(Math.min(...k)).toBeLessThan(0.75);
    expect(Math.max(...k)).toBeGreaterThan(0.87);
    const d = [...world.deso.get(2019)!.values()].map((c) => c.emp_20_64 / c.pop_20_64);
    expect(quantile(d, 0.01)).toBeLessThan(0.62);
  });

  it('has low economic standard ≈14–15 % falling to ≈13 % in 2022–2023, inside quintile 1', () => {
    const low = YEARS.map((y) => share(y, (c) => c.low_es, (c) => c.pop));
    for (const l of low.slice(0, 5)) {
      expect(l).toBeGreaterThan(0.14);
      expect(l).toBeLessThan(0.155);
    }
    expect(low[6]).toBeLessThan(0.14);
    const q1 = YEARS.map((y) => share(y, (c) => c.q1, (c) => c.pop));
    for (const q of q1) expect(Math.abs(q - 0.2)).toBeLessThan(0.005);
    for (const c of world.deso.get(2019)!.values()) expect(c.low_es).toBeLessThanOrEqual(c.q1);
  });

  it('has education rising: post-secondary 43 % → ≈47.5 %, pre-upper-secondary ≈12 % falling', () => {
    const post = (y: number): number => share(y, (c) => c.edu_post_short + c.edu_post_long, (c) => c.edu_pop);
    const pre = (y: number): number => share(y, (c) => c.edu_pre, (c) => c.edu_pop);
    expect(post(2017)).toBeGreaterThan(0.41);
    expect(post(2017)).toBeLessThan(0.45);
    expect(post(2024)).toBeGreaterThan(0.455);
    expect(post(2024)).toBeLessThan(0.495);
    expect(pre(2017)).toBeGreaterThan(0.11);
    expect(pre(2017)).toBeLessThan(0.13);
    expect(pre(2024)).toBeLessThan(pre(2017));
  });

  it('has kommunval turnout ≈84 % (2018) and ≈80.5 % (2022), much lower in disadvantaged DeSO', () => {
    const t18 = share(2018, (c) => c.voters_voted, (c) => c.voters_eligible);
    const t22 = share(2022, (c) => c.voters_voted, (c) => c.voters_eligible);
    expect(t18).toBeGreaterThan(0.83);
    expect(t18).toBeLessThan(0.855);
    expect(t22).toBeGreaterThan(0.79);
    expect(t22).toBeLessThan(0.82);
    const d22 = [...world.deso.get(2022)!.values()].map((c) => c.voters_voted / c.voters_eligible);
    expect(quantile(d22, 0.01)).toBeLessThan(0.6);
    expect(quantile(d22, 0.99)).toBeGreaterThan(0.9);
    const k = kommunTotals(2018);
    const haparanda = k.get('2583')!;
    const all = [...k.values()].map((c) => c.voters_voted / c.voters_eligible);
    expect(haparanda.voters_voted / haparanda.voters_eligible).toBeLessThan(quantile(all, 0.05));
  });

  it('has tenure like riket (≈38–40 % rental, ≈37 % owner-occupied)', () => {
    const dw = (c: DesoCounts): number => c.dw_rental + c.dw_condo + c.dw_owner + c.dw_unknown;
    const rental = share(2022, (c) => c.dw_rental, dw);
    const owner = share(2022, (c) => c.dw_owner, dw);
    expect(rental).toBeGreaterThan(0.36);
    expect(rental).toBeLessThan(0.41);
    expect(owner).toBeGreaterThan(0.35);
    expect(owner).toBeLessThan(0.4);
    const n = total(2022, dw);
    expect(n).toBeGreaterThan(4_800_000);
    expect(n).toBeLessThan(5_700_000);
  });

  it('has kommun sources at riket levels: crime ≈130–155 per 1,000, eligibility ≈83–87 %', () => {
    for (const [i, year] of YEARS.entries()) {
      const k = [...world.kommun.get(year)!.values()];
      const pop = total(year, (c) => c.pop);
      const crime = (1000 * k.reduce((s, x) => s + x.crimes_reported, 0)) / pop;
      expect(crime).toBeGreaterThan(128);
      expect(crime).toBeLessThan(156);
      const elig = k.reduce((s, x) => s + x.pupils_9_eligible, 0) / k.reduce((s, x) => s + x.pupils_9, 0);
      expect(elig).toBeGreaterThan(0.81);
      expect(elig).toBeLessThan(0.88);
      const crowd = k.reduce((s, x) => s + x.crowd_norm2, 0) / k.reduce((s, x) => s + x.crowd_pop, 0);
      expect(crowd).toBeGreaterThan(0.06);
      expect(crowd).toBeLessThan(0.13);
      if (i === 0) {
        const stockholm = world.kommun.get(year)!.get('0180')!;
        expect((1000 * stockholm.crimes_reported) / kommunTotals(year).get('0180')!.pop).toBeGreaterThan(crime);
      }
    }
    const rates = [...world.kommun.get(2022)!.values()].map((x) => x.pupils_9_eligible / x.pupils_9);
    expect(Math.min(...rates)).toBeLessThan(0.78);
    expect(Math.max(...rates)).toBeGreaterThan(0.92);
  });

  it('gives a realistic area-type distribution (≈160/289/855/1770/289 RegSO) with a ≈31 pp employment gap', () => {
    const year = 2022;
    const regsoOf = new Map(areasOf('DeSO2018').map((a) => [a.code, a.regso_code!]));
    const acc = new Map<string, { low: number; pop: number; pre: number; p2064: number; v3: number; emp: number }>();
    for (const [code, c] of world.deso.get(year)!) {
      const r = regsoOf.get(code)!;
      const a = acc.get(r) ?? { low: 0, pop: 0, pre: 0, p2064: 0, v3: 0, emp: 0 };
      a.low += c.low_es;
      a.pop += c.pop;
      a.pre += c.pre_20_64;
      a.p2064 += c.pop_20_64;
      a.v3 += c.ea_or_ltu_20_64;
      a.emp += c.emp_20_64;
      acc.set(r, a);
    }
    const rows = [...acc.values()].map((a) => ({ ...a, index: (a.low / a.pop + a.pre / a.p2064 + a.v3 / a.p2064) / 3 }));
    const mean = rows.reduce((s, r) => s + r.index, 0) / rows.length;
    const sd = Math.sqrt(rows.reduce((s, r) => s + (r.index - mean) ** 2, 0) / rows.length);
    const typeOf = (x: number): number => (x > mean + 2 * sd ? 1 : x > mean + sd ? 2 : x > mean ? 3 : x > mean - sd ? 4 : 5);
    const counts = [0, 0, 0, 0, 0];
    for (const r of rows) counts[typeOf(r.index) - 1]! += 1;
    expect(counts[0]).toBeGreaterThan(100);
    expect(counts[0]).toBeLessThan(230);
    expect(counts[1]).toBeGreaterThan(200);
    expect(counts[1]).toBeLessThan(380);
    expect(counts[2]).toBeGreaterThan(700);
    expect(counts[2]).toBeLessThan(1_000);
    expect(counts[3]).toBeGreaterThan(1_550);
    expect(counts[3]).toBeLessThan(2_000);
    expect(counts[4]).toBeGreaterThan(170);
    expect(counts[4]).toBeLessThan(400);
    const empOf = (t: number): number => {
      const sel = rows.filter((r) => typeOf(r.index) === t);
      return sel.reduce((s, r) => s + r.emp, 0) / sel.reduce((s, r) => s + r.p2064, 0);
    };
    const gap = empOf(5) - empOf(1);
    expect(gap).toBeGreaterThan(0.22);
    expect(gap).toBeLessThan(0.4);
  });

  it('clusters: DeSO in the same RegSO resemble each other more than random DeSO in the kommun', () => {
    const areas = new Map(areasOf('DeSO2018').map((a) => [a.code, a]));
    const y = world.deso.get(2019)!;
    const rate = (code: string): number => {
      const c = y.get(code)!;
      return c.low_es / c.pop;
    };
    const byRegso = new Map<string, string[]>();
    for (const a of areas.values()) byRegso.set(a.regso_code!, [...(byRegso.get(a.regso_code!) ?? []), a.code]);
    let within = 0;
    let n = 0;
    for (const codes of byRegso.values()) {
      for (let i = 1; i < codes.length; i++) {
        within += Math.abs(rate(codes[i]!) - rate(codes[i - 1]!));
        n++;
      }
    }
    const stockholm = [...areas.values()].filter((a) => a.kommun_code === '0180').map((a) => a.code);
    let across = 0;
    for (let i = 0; i + 271 < stockholm.length; i++) across += Math.abs(rate(stockholm[i]!) - rate(stockholm[i + 271]!));
    expect(within / n).toBeLessThan((across / (stockholm.length - 271)) * 0.8);
  });
});
