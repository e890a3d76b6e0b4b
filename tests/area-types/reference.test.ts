/**
 * What SCB's real 2022 area types (tests/fixtures/examples/scb_IntGr5Socio_omradestyp_regso_2022.csv, origin in
 * the README there) can and cannot tell about our cut rule. The file has the types but not the index, so the rule
 * cannot be replayed on it. What can be checked: the counts are the catalogue's; they respect the bounds any
 * "mean ± k SD" rule must obey; and a right-skewed index cut by our SQL reproduces their shape, while the same
 * rule on a symmetric index would not — so the counts are consistent with the rule and say the index is skewed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyAreaTypes, loadAreaTypeCatalogue } from '../../pipelines/measures/classify-area-types.ts';

const FILE = new URL('../fixtures/examples/scb_IntGr5Socio_omradestyp_regso_2022.csv', import.meta.url);
const CAT = loadAreaTypeCatalogue();

/** RegSO rows are "Kommun (RegSO),typ"; the header, blank lines and footnotes are not. */
function realCounts(): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const line of readFileSync(FILE, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const m = /^(?:"[^"]*\([^"]*\)"|[^,"]*\([^,]*\)),([1-5])$/.exec(line);
    if (m) counts[Number(m[1]) - 1] = (counts[Number(m[1]) - 1] ?? 0) + 1;
  }
  return counts;
}

/** Index values of 3,363 areas: 12·e^(σZ), Z standard normal (seeded), or 12 + 6.6·Z for a symmetric one. */
function index(shape: 'lognormal' | 'normal', seed = 2022): number[] {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: 3363 }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    return shape === 'lognormal' ? 12 * Math.exp(0.55 * z) : 12 + 6.6 * z;
  });
}

async function ourCounts(xs: number[]): Promise<number[]> {
  const res = await classifyAreaTypes(xs.map((x, i) => ({ grp: '2022', unit: `R${i}`, index: x, v1: null, v2: null, v3: null })), { catalogue: CAT });
  return res.groups[0]?.counts ?? [];
}

const share = (c: number[]): number[] => c.map((n) => (100 * n) / c.reduce((a, b) => a + b, 0));

describe('SCB area types 2022 (reference file)', () => {
  it('has 160/289/855/1,770/289 RegSO of types 1–5, every one of the 3,363 typed, as data/area-types.json says', () => {
    const counts = realCounts();
    expect(counts).toEqual([160, 289, 855, 1770, 289]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3363);
    expect(counts).toEqual([1, 2, 3, 4, 5].map((t) => CAT.reference.counts[String(t)]));
    expect(CAT.reference.file).toBe('tests/fixtures/examples/scb_IntGr5Socio_omradestyp_regso_2022.csv');
  });

  it('respects the bounds of any mean ± k SD rule (Cantelli): ≤ 20 % at +2 SD or more, ≤ 50 % at +1 SD or more, ≤ 50 % below −1 SD', () => {
    const s = share(realCounts());
    expect(s[0] as number).toBeLessThanOrEqual(20);
    expect((s[0] as number) + (s[1] as number)).toBeLessThanOrEqual(50);
    expect(s[4] as number).toBeLessThanOrEqual(50);
  });

  it('is reproduced within one percentage point per type by our rule on a right-skewed index (lognormal, σ = 0.55)', async () => {
    const real = share(realCounts());
    const ours = share(await ourCounts(index('lognormal')));
    // Real: 4.8/8.6/25.4/52.6/8.6 %. Only 38.8 % of RegSO lie at or above the mean (types 1–3): mean > median.
    for (let t = 0; t < 5; t++) expect(Math.abs((ours[t] as number) - (real[t] as number))).toBeLessThan(1);
  });

  it('is not reproduced by the same rule on a symmetric index: the counts carry the skew of the real index', async () => {
    const real = share(realCounts());
    const ours = share(await ourCounts(index('normal')));
    // A normal index gives about 2.3/13.6/34.1/34.1/15.9 %.
    expect(Math.abs((ours[3] as number) - (real[3] as number))).toBeGreaterThan(10);
    expect(Math.abs((ours[4] as number) - (real[4] as number))).toBeGreaterThan(5);
  });
});
