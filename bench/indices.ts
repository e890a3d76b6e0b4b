/**
 * Benchmark of the segregation-index engine and `segfollow indices` (figures are printed, never asserted):
 *  1. a panel of 290 kommuner × ~20 DeSO × 9 years (~50,000 rows): `segfollow indices` as a whole process;
 *  2. expected value and bootstrap interval, 200 draws each, for all 2,610 kommun-years (in process and as a
 *     whole process with --draws 200);
 *  3. microdata: 10 million people a year for 9 years in Parquet (person, deso, year, group), aggregated in
 *     DuckDB to counts per DeSO × group and then every index for every kommun-year, in a child process so that
 *     its peak memory (VmHWM) is its own.
 * Everything is generated into a temp folder, seeded, and removed afterwards (unless --keep).
 *
 *   node --import tsx bench/indices.ts [--keep] [--skip-micro]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { decomposeMH } from '../pipelines/measures/decomposition.ts';
import { expectedAndBootstrap } from '../pipelines/measures/inference.ts';
import { multigroupIndices } from '../pipelines/measures/multigroup.ts';
import { Random } from '../pipelines/measures/random.ts';
import { twoGroupIndices } from '../pipelines/measures/two-group.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const KOMMUNER = 290;
const YEARS = Array.from({ length: 9 }, (_, i) => 2017 + i);
const PEOPLE_PER_YEAR = 10_000_000;
const DRAWS = 200;

interface Deso {
  kommun: string;
  code: string;
  share: number;
  size: number;
}

interface Panel {
  file: string;
  rows: number;
  desos: Deso[];
  /** Per kommun-year: foreign/swedish pairs, row-major. */
  sets: Float64Array[];
}

function normal(rng: Random): number {
  const u = 1 - rng.uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
}

/** 290 kommuner with lognormal DeSO counts (mean ~20, min 3), DeSO populations 700–2,700, uneven foreign-born shares. */
export function generatePanel(dir: string): Panel {
  const rng = new Random('segfollow bench panel');
  const desos: Deso[] = [];
  for (let k = 0; k < KOMMUNER; k++) {
    const kommun = String(114 + k * 7).padStart(4, '0');
    const n = Math.max(3, Math.round(20 * Math.exp(0.6 * normal(rng) - 0.18)));
    const base = 0.05 + 0.3 * rng.uniform();
    for (let d = 0; d < n; d++) {
      desos.push({
        kommun,
        code: `${kommun}A${String(d + 1).padStart(4, '0')}`,
        share: Math.min(0.95, Math.max(0.005, base * Math.exp(0.8 * normal(rng)))),
        size: Math.floor(700 + 2000 * rng.uniform()),
      });
    }
  }
  const lines = ['kommun,year,deso,foreign,swedish'];
  const sets: Float64Array[] = [];
  let start = 0;
  while (start < desos.length) {
    let end = start;
    while (end < desos.length && (desos[end] as Deso).kommun === (desos[start] as Deso).kommun) end++;
    YEARS.forEach((year, y) => {
      const set = new Float64Array((end - start) * 2);
      for (let i = start; i < end; i++) {
        const d = desos[i] as Deso;
        const pop = Math.round(d.size * (1 + 0.01 * y + 0.02 * normal(rng)));
        const foreign = Math.min(pop, Math.round(pop * Math.min(0.97, d.share * (1 + 0.02 * y))));
        set[(i - start) * 2] = foreign;
        set[(i - start) * 2 + 1] = pop - foreign;
        lines.push(`${d.kommun},${year},${d.code},${foreign},${pop - foreign}`);
      }
      sets.push(set);
    });
    start = end;
  }
  const file = join(dir, 'panel.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, rows: lines.length - 1, desos, sets };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function runProcess(args: string[]): { ms: number; code: number | null; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { ms: performance.now() - t0, code: r.status, stderr: r.stderr };
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function wholeProcess(label: string, goalMs: number, argsFor: (launcher: string[]) => string[], repeats: number): void {
  const launchers: Array<[string, string[]]> = [
    ['bin/segfollow.js indices', ['bin/segfollow.js', 'indices']],
  ];
  for (const [name, launcher] of launchers) {
    const times: number[] = [];
    let failure = '';
    for (let i = 0; i < repeats; i++) {
      const r = runProcess(argsFor(launcher));
      if (r.code !== 0) {
        failure = `exit ${r.code}: ${r.stderr.split('\n')[0]}`;
        break;
      }
      times.push(r.ms);
    }
    if (failure) console.log(`  ${label} via ${name}: failed (${failure})`);
    else console.log(`  ${label} via ${name}: median ${fmt(median(times))} of ${repeats} (min ${fmt(Math.min(...times))}; goal < ${fmt(goalMs)})`);
  }
}

async function generateMicrodata(dir: string, desos: Deso[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run('CREATE TABLE deso (idx INTEGER, deso VARCHAR, share DOUBLE)');
    const values = desos.map((d, i) => `(${i}, '${d.code}', ${d.share})`).join(',');
    await conn.run(`INSERT INTO deso VALUES ${values}`);
    for (const year of YEARS) {
      // hash() rather than random(): deterministic and independent of thread scheduling.
      await conn.run(`
        COPY (
          SELECT r.i AS person, d.deso, ${year}::SMALLINT AS year,
                 CASE WHEN (hash(r.i, ${year}, 7) % 1000000) / 1e6 < d.share THEN 'foreign' ELSE 'swedish' END AS "group"
          FROM range(${PEOPLE_PER_YEAR}) r(i)
          JOIN deso d ON d.idx = hash(r.i, ${year}) % ${desos.length}
        ) TO '${join(dir, `microdata_${year}.parquet`)}' (FORMAT parquet)`);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The timed microdata step; runs in a child process (see the bottom of this file). */
async function microChild(dir: string): Promise<void> {
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // Counts per DeSO × group; kommun is the first four characters of the DeSO code.
  const reader = await conn.runAndReadAll(`
    SELECT substr(deso, 1, 4) AS kommun, year::INTEGER AS year, deso, "group", count(*)::DOUBLE AS n
    FROM read_parquet('${join(dir, '*.parquet')}')
    GROUP BY ALL
    ORDER BY kommun, year, deso, "group"`);
  const cols = reader.getColumnsJS();
  conn.closeSync();
  instance.closeSync();
  const tAgg = performance.now();

  const [kommun, year, deso, group, n] = cols as [string[], number[], string[], string[], number[]];
  const groups = [...new Set(group)].sort();
  const K = groups.length;
  const gIndex = new Map(groups.map((g, i) => [g, i]));
  let sets = 0;
  let indices = 0;
  // National M/H per year, decomposed by kommun, from the same counts.
  const perYear = new Map<number, { counts: number[]; region: number[]; kommuner: Map<string, number> }>();
  let i = 0;
  while (i < kommun.length) {
    const k = kommun[i] as string;
    const y = year[i] as number;
    let j = i;
    const cells: number[] = [];
    let lastDeso = '';
    while (j < kommun.length && kommun[j] === k && year[j] === y) {
      if (deso[j] !== lastDeso) {
        lastDeso = deso[j] as string;
        for (let g = 0; g < K; g++) cells.push(0);
      }
      cells[cells.length - K + (gIndex.get(group[j] as string) as number)] = n[j] as number;
      j++;
    }
    const table = Float64Array.from(cells);
    const m = table.length / K;
    const x = new Float64Array(m);
    const rest = new Float64Array(m);
    for (let u = 0; u < m; u++) {
      x[u] = table[u * K] as number;
      for (let g = 1; g < K; g++) rest[u] = (rest[u] as number) + (table[u * K + g] as number);
    }
    const two = twoGroupIndices(x, rest);
    const multi = multigroupIndices(table, K);
    indices += Object.keys(two.values).length + Object.keys(multi.values).length;
    let py = perYear.get(y);
    if (!py) {
      py = { counts: [], region: [], kommuner: new Map() };
      perYear.set(y, py);
    }
    const r = py.kommuner.size;
    py.kommuner.set(k, r);
    for (const c of cells) py.counts.push(c);
    for (let u = 0; u < m; u++) py.region.push(r);
    sets++;
    i = j;
  }
  let mWithinShare = 0;
  for (const py of perYear.values()) {
    const d = decomposeMH(Float64Array.from(py.counts), K, Uint32Array.from(py.region), py.kommuner.size);
    mWithinShare = (d.values.M_within as number) / (d.values.M_total as number);
  }
  const tEnd = performance.now();
  const status = readFileSync('/proc/self/status', 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  process.stdout.write(
    JSON.stringify({
      aggregateMs: tAgg - t0,
      engineMs: tEnd - tAgg,
      totalMs: tEnd - t0,
      peakRssMb: hwm === undefined ? null : Number(hwm) / 1024,
      cells: kommun.length,
      sets,
      indices,
      mWithinShare,
    }),
  );
}

export async function benchIndices(opts: { keep?: boolean; skipMicro?: boolean } = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-indices-'));
  try {
    console.log('segfollow indices benchmark');
    const gen = time(() => generatePanel(dir));
    const panel = gen.value;
    console.log(`  panel: ${panel.rows} rows, ${panel.desos.length} DeSO in ${KOMMUNER} kommuner × ${YEARS.length} years = ${panel.sets.length} kommun-years (generated in ${fmt(gen.ms)})`);

    // 1. All two-group (and multigroup) indices for every kommun-year, as a whole process.
    const out = join(dir, 'indices.csv');
    const base = ['--input', panel.file, '--unit', 'deso', '--groups', 'foreign,swedish', '--by', 'kommun,year', '--out', out];
    wholeProcess('all indices, whole process', 350, (l) => [...l, ...base], 5);
    const outRows = readFileSync(out, 'utf8').trimEnd().split('\n').length - 1;
    console.log(`    (${outRows} output rows)`);
    // Issue 10 goal 3: beside what a statistician writes with pandas/numpy (skipped, and said, without them).
    const { benchPanelAgainstPandas } = await import('./goals.ts');
    benchPanelAgainstPandas(panel.file, dir);

    // 2. Expected value and bootstrap interval for D and H, 200 draws each, all kommun-years.
    const inproc = time(() => {
      let ok = 0;
      panel.sets.forEach((set, s) => {
        const r = expectedAndBootstrap(set, 2, { draws: DRAWS, seed: [1, s] });
        if (r.D?.ciLow !== null && r.D?.expected !== null) ok++;
      });
      return ok;
    });
    console.log(`  expected value + bootstrap (${DRAWS} + ${DRAWS} draws) for ${panel.sets.length} kommun-years, in process: ${fmt(inproc.ms)} (${inproc.value} with intervals; goal < 10 s)`);
    wholeProcess(`same with --draws ${DRAWS}, whole process`, 10_000, (l) => [...l, ...base, '--draws', String(DRAWS)], 1);

    // 3. Microdata.
    if (opts.skipMicro) return;
    const microDir = join(dir, 'micro');
    const genMicro = performance.now();
    (await import('node:fs')).mkdirSync(microDir);
    await generateMicrodata(microDir, panel.desos);
    const bytes = readdirSync(microDir).reduce((s, f) => s + statSync(join(microDir, f)).size, 0);
    console.log(
      `  microdata: ${YEARS.length} × ${PEOPLE_PER_YEAR.toLocaleString('en')} people in Parquet (${(bytes / 2 ** 20).toFixed(0)} MB, generated in ${fmt(performance.now() - genMicro)})`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--micro-child', microDir], {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (child.status !== 0) {
      console.log(`  microdata step failed: ${child.stderr}`);
      return;
    }
    const m = JSON.parse(child.stdout) as {
      aggregateMs: number;
      engineMs: number;
      totalMs: number;
      peakRssMb: number | null;
      cells: number;
      sets: number;
      indices: number;
      mWithinShare: number;
    };
    console.log(
      `  microdata → all indices for every kommun-year: ${fmt(m.totalMs)} (DuckDB aggregation ${fmt(m.aggregateMs)} to ${m.cells} DeSO × group cells, engine ${fmt(m.engineMs)} for ${m.sets} kommun-years, ${m.indices} values), peak RSS ${m.peakRssMb?.toFixed(0)} MB (goal < 60 s, 8 GB)`,
    );
  } finally {
    if (opts.keep) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const micro = process.argv.indexOf('--micro-child');
  if (micro >= 0) {
    const dir = process.argv[micro + 1];
    if (!dir || !existsSync(dir)) throw new Error('--micro-child needs the microdata folder');
    await microChild(dir);
  } else {
    await benchIndices({ keep: process.argv.includes('--keep'), skipMicro: process.argv.includes('--skip-micro') });
  }
}
