import { checkOutIsNotInput, writeOutput } from '../write-output.ts';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { decomposeMH } from './decomposition.ts';
import {
  DECOMPOSITION_IDS,
  isAsymmetric,
  MULTIGROUP_INDEX_IDS,
  TWO_GROUP_INDEX_IDS,
  type IndexStatus,
  type InferenceSuffix,
} from './index-ids.ts';
import { expectedAndBootstrap, type InferenceResult, type InferenceStat } from './inference.ts';
import { multigroupIndices } from './multigroup.ts';
import { readCountSets } from './read-table.ts';
import { scratchF64 } from './scratch.ts';
import { twoGroupIndices } from './two-group.ts';
import { parseCount } from './validate-columns.ts';

/** Where the command writes; process.stdout/stderr or any test double with write(). */
export interface CommandIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
}

export const INDICES_HELP = `segfollow indices — segregation indices for your own count table

Usage: segfollow indices --input FILE --unit COL --groups COL,COL[,...] [options]

  --input FILE        CSV (delimiter , ; tab or |, with a header) or Parquet; one row per sub-area
  --unit COL          sub-area id (unique within each --by [and --within] combination)
  --groups COLS       count columns, at least two; the total of a sub-area is their sum
  --by COLS           compute separately for each combination of these columns (e.g. kommun,year)
  --focal COL         focal group of the asymmetric two-group indices (default: the first of --groups)
  --within COL        also decompose M and H into between and within this grouping of the sub-areas
  --draws N           also the expected value under random allocation (exact) and a bootstrap interval for D
                      and H from N resampled tables (default 0: off; 200 is what the pipeline uses)
  --seed N            seed for --draws (default 1); same seed and input, same numbers
  --confidence P      level of the bootstrap interval (default 0.95)
  --format csv|json   output format (default csv)
  --out FILE          write there instead of stdout
  -h, --help          this help

Output: one row per --by combination and index, with the --by columns, then index, focal, value, status,
n_units and total. With two groups: D, Gini, H_two_group, isolation_xPx, interaction_xPy, correlation_ratio_V,
atkinson_b0.5 (focal is filled only for the asymmetric ones), then the multigroup indices multi_D, multi_Gini,
multi_H_information_theory, multi_M_divergence (in nats), multi_normalized_exposure, multi_relative_diversity,
multi_squared_coef_variation. With more groups: the multigroup indices, then D and H_two_group of each group
against the rest (focal = that group; with --focal, every two-group index for that group). With --within:
M_total, M_between, M_within, H_total, H_between, H_within. With --draws: <index>_expected_under_random,
<index>_bootstrap_ci_low and <index>_bootstrap_ci_high for each D and H row: the bias-corrected estimate
(2·estimate − mean of the replicates) ± z·√(se² + bias²), clamped to [0, 1], so it holds both the estimate and the
bias-corrected estimate and never goes below 0.

status is ok, single_unit (fewer than two populated sub-areas), single_group (fewer than two groups present)
or no_population; value is empty unless ok. Sub-areas with no population are left out and not counted in
n_units; total is the population over the --groups columns. Values are full float64 precision.

Bad input (missing column, empty, non-numeric, negative or fractional count, duplicate sub-area, empty or
unreadable file) exits 2 with the file, row and column. Rows are numbered from 1 at the first data row.`;

interface Options {
  readonly input: string;
  readonly unit: string;
  readonly groups: readonly string[];
  readonly by: readonly string[];
  readonly focal: number;
  /** --focal was given (with more than two groups it adds the full two-group set for that group). */
  readonly focalGiven: boolean;
  readonly within: string | null;
  readonly format: 'csv' | 'json';
  readonly out: string | null;
  readonly draws: number;
  readonly seed: number;
  readonly confidence: number;
}

interface OutRow {
  readonly by: readonly string[];
  readonly index: string;
  readonly focal: string;
  readonly value: number | null;
  readonly status: IndexStatus;
  readonly nUnits: number;
  readonly total: number;
}

const OUTPUT_COLUMNS = ['index', 'focal', 'value', 'status', 'n_units', 'total'] as const;

/** scratch.ts slots of the focal group and the rest, handed to twoGroupIndices (which copies them). */
const SLOT_X = 5;
const SLOT_Y = 6;

/** `segfollow indices …` (argv without the command name). Returns the exit code: 0, 1 or 2 (bad usage or input). */
export async function runIndicesCommand(argv: string[], io: CommandIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(INDICES_HELP + '\n');
    return 0;
  }
  const opts = parseOptions(argv);
  checkOutIsNotInput(opts.out, opts.input);
  const sink = opts.format === 'json' ? new JsonSink(opts.by) : new CsvSink(opts.by);
  await computeRows(opts, sink);
  const text = sink.text();
  writeOutput(text, opts.out, io.stdout);
  return 0;
}

function parseOptions(argv: string[]): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: 'string' },
        unit: { type: 'string' },
        groups: { type: 'string' },
        by: { type: 'string' },
        focal: { type: 'string' },
        within: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        draws: { type: 'string' },
        seed: { type: 'string' },
        confidence: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; run "segfollow indices --help"`);
  }
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const input = str('input');
  const unit = str('unit');
  const groupsArg = str('groups');
  if (!input) throw new UsageError('--input FILE is required');
  if (!unit) throw new UsageError('--unit COL is required');
  if (!groupsArg) throw new UsageError('--groups COL,COL[,...] is required');
  const groups = list(groupsArg, '--groups');
  if (groups.length < 2) throw new UsageError(`--groups needs at least two columns, got "${groupsArg}"`);
  const by = str('by') ? list(str('by') as string, '--by') : [];
  const within = str('within') || null;

  const seen = new Map<string, string>();
  const claim = (name: string, role: string): void => {
    const prev = seen.get(name);
    if (prev !== undefined) throw new UsageError(`column "${name}" is given both as ${prev} and as ${role}`);
    seen.set(name, role);
  };
  for (const g of groups) claim(g, '--groups');
  claim(unit, '--unit');
  for (const b of by) claim(b, '--by');
  if (within !== null) claim(within, '--within');
  for (const b of by) {
    if ((OUTPUT_COLUMNS as readonly string[]).includes(b)) {
      throw new UsageError(`--by column "${b}" has the name of an output column (${OUTPUT_COLUMNS.join(', ')}); rename it`);
    }
  }

  const focalName = str('focal');
  let focal = 0;
  if (focalName) {
    focal = groups.indexOf(focalName);
    if (focal < 0) throw new UsageError(`--focal "${focalName}" is not one of --groups (${groups.join(', ')})`);
  }
  const format = str('format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new UsageError(`--format must be csv or json, got "${format}"`);
  const draws = integerOption(str('draws'), '--draws', 0);
  const seed = integerOption(str('seed'), '--seed', 1);
  const confidence = str('confidence') === undefined ? 0.95 : Number(str('confidence'));
  if (!(confidence > 0 && confidence < 1)) throw new UsageError(`--confidence must be between 0 and 1, got "${str('confidence')}"`);
  return { input, unit, groups, by, focal, focalGiven: Boolean(focalName), within, format, out: str('out') || null, draws, seed, confidence };
}

function list(arg: string, flag: string): string[] {
  const items = arg.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} has an empty column name: "${arg}"`);
  const dup = items.find((s, i) => items.indexOf(s) !== i);
  if (dup !== undefined) throw new UsageError(`${flag} names "${dup}" twice`);
  return items;
}

function integerOption(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag} must be an integer, got "${v}"`);
  const n = Number(v);
  if (flag === '--draws' && n < 0) throw new UsageError(`--draws must be >= 0, got "${v}"`);
  return n;
}

async function computeRows(opts: Options, out: RowSink): Promise<void> {
  // Validated, grouped and typed in DuckDB (read-table.ts): no cell crosses into JavaScript as text.
  const { sets } = await readCountSets(opts.input, { unit: opts.unit, groups: opts.groups, by: opts.by, within: opts.within }, (raw, row, column) =>
    parseCount(opts.input, raw, row, column),
  );
  const K = opts.groups.length;
  // In output order (sortedSetOrder).
  for (const set of sets) {
    unitSetRows(out, set.by, set.counts, K, opts, set.region === null ? null : { region: set.region, nRegions: set.nRegions });
  }
}

/** The output rows for one --by combination. */
function unitSetRows(
  out: RowSink,
  by: readonly string[],
  set: Float64Array,
  K: number,
  opts: Options,
  within: { region: Uint32Array; nRegions: number } | null,
): void {
  const m = set.length / K;
  const push = (index: string, focal: string, value: number | null, status: IndexStatus, nUnits: number, total: number): void => {
    out.row(by, index, focal, status === 'ok' ? value : null, status, nUnits, total);
  };
  const inference: Array<{ id: string; focal: string; stat: 'D' | 'H'; res: InferenceResult }> = [];
  const infer = (pairs: Float64Array, nGroups: number, stream: string): InferenceResult =>
    expectedAndBootstrap(pairs, nGroups, { draws: opts.draws, seed: [opts.seed, by.join('\u0000'), stream], confidence: opts.confidence });

  /** Group k against the rest as interleaved [x_i, y_i] pairs, the shape expectedAndBootstrap takes. */
  const vsRest = (k: number): Float64Array => {
    const pairs = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) {
      let t = 0;
      for (let j = 0; j < K; j++) t += set[i * K + j] as number;
      const x = set[i * K + k] as number;
      pairs[2 * i] = x;
      pairs[2 * i + 1] = t - x;
    }
    return pairs;
  };
  /** Two-group rows for group k against the rest: every index, or only D and H. */
  const twoGroupRows = (k: number, all: boolean, focalAlways: boolean): void => {
    const x = scratchF64(SLOT_X, m).subarray(0, m);
    const y = scratchF64(SLOT_Y, m).subarray(0, m);
    for (let i = 0; i < m; i++) {
      let t = 0;
      for (let j = 0; j < K; j++) t += set[i * K + j] as number;
      const xi = set[i * K + k] as number;
      x[i] = xi;
      y[i] = t - xi;
    }
    const res = twoGroupIndices(x, y);
    const name = opts.groups[k] as string;
    for (const id of TWO_GROUP_INDEX_IDS) {
      if (!all && id !== 'D' && id !== 'H_two_group') continue;
      push(id, focalAlways || isAsymmetric(id) ? name : '', res.values[id], res.status, res.nUnits, res.total);
    }
  };

  if (K === 2) {
    twoGroupRows(opts.focal, true, false);
    const multi = multigroupIndices(set, K);
    for (const id of MULTIGROUP_INDEX_IDS) push(id, '', multi.values[id], multi.status, multi.nUnits, multi.total);
    if (opts.draws > 0) {
      // D and H are symmetric and equal their multigroup forms here, so one simulation on the table in column
      // order serves all four rows (and --focal does not change the random stream).
      const res = infer(set, 2, 'two-group');
      inference.push({ id: 'D', focal: '', stat: 'D', res }, { id: 'H_two_group', focal: '', stat: 'H', res });
      inference.push({ id: 'multi_D', focal: '', stat: 'D', res }, { id: 'multi_H_information_theory', focal: '', stat: 'H', res });
    }
  } else {
    const multi = multigroupIndices(set, K);
    for (const id of MULTIGROUP_INDEX_IDS) push(id, '', multi.values[id], multi.status, multi.nUnits, multi.total);
    if (opts.draws > 0) {
      const res = infer(set, K, 'multigroup');
      inference.push({ id: 'multi_D', focal: '', stat: 'D', res }, { id: 'multi_H_information_theory', focal: '', stat: 'H', res });
    }
    for (let k = 0; k < K; k++) {
      twoGroupRows(k, opts.focalGiven && k === opts.focal, true);
      if (opts.draws > 0) {
        const name = opts.groups[k] as string;
        const res = infer(vsRest(k), 2, `group:${name}`);
        inference.push({ id: 'D', focal: name, stat: 'D', res }, { id: 'H_two_group', focal: name, stat: 'H', res });
      }
    }
  }

  for (const { id, focal, stat, res } of inference) {
    const s: InferenceStat | null = res[stat];
    const rows: Array<[InferenceSuffix, number | null]> = [
      ['_expected_under_random', s?.expected ?? null],
      ['_bootstrap_ci_low', s?.ciLow ?? null],
      ['_bootstrap_ci_high', s?.ciHigh ?? null],
    ];
    for (const [suffix, v] of rows) {
      // A defined table whose every simulated table was undefined (a group of one person lost in each
      // resample) reports why the simulations failed rather than "ok" with no value.
      const status = res.status === 'ok' && v === null ? (res.drawFailure ?? 'single_group') : res.status;
      push(id + suffix, focal, v, status, res.nUnits, res.total);
    }
  }

  if (within !== null) {
    const dec = decomposeMH(set, K, within.region, within.nRegions);
    for (const id of DECOMPOSITION_IDS) push(id, '', dec.values[id], dec.status, dec.nUnits, dec.total);
  }
}

/** Where the output rows go, in order: straight into CSV text, or into objects for JSON. */
interface RowSink {
  row(by: readonly string[], index: string, focal: string, value: number | null, status: IndexStatus, nUnits: number, total: number): void;
  text(): string;
}

/** CSV lines as the rows come, one string per --by combination: no object per row (36,540 rows for the panel). */
class CsvSink implements RowSink {
  private readonly parts: string[];
  private lastBy: readonly string[] | null = null;
  private prefix = '';
  private block = '';

  constructor(by: readonly string[]) {
    this.parts = [[...by, ...OUTPUT_COLUMNS].map(csvField).join(',') + '\n'];
  }

  row(by: readonly string[], index: string, focal: string, value: number | null, status: IndexStatus, nUnits: number, total: number): void {
    // Rows of one --by combination share their `by` array: its fields are quoted once per combination.
    if (by !== this.lastBy) {
      if (this.block !== '') this.parts.push(this.block);
      this.block = '';
      this.lastBy = by;
      this.prefix = by.map((f) => csvField(f) + ',').join('');
    }
    this.block += `${this.prefix}${index},${focal === '' ? '' : csvField(focal)},${value === null ? '' : String(value)},${status},${nUnits},${total}\n`;
  }

  text(): string {
    if (this.block !== '') this.parts.push(this.block);
    this.block = '';
    return this.parts.join('');
  }
}

class JsonSink implements RowSink {
  private readonly rows: OutRow[] = [];
  constructor(private readonly by: readonly string[]) {}

  row(by: readonly string[], index: string, focal: string, value: number | null, status: IndexStatus, nUnits: number, total: number): void {
    this.rows.push({ by, index, focal, value, status, nUnits, total });
  }

  text(): string {
    return toJson(this.rows, this.by);
  }
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function toJson(rows: readonly OutRow[], by: readonly string[]): string {
  const parts = rows.map((r) => {
    const o: Record<string, string | number | null> = {};
    by.forEach((c, i) => (o[c] = r.by[i] as string));
    o.index = r.index;
    o.focal = r.focal === '' ? null : r.focal;
    o.value = r.value;
    o.status = r.status;
    o.n_units = r.nUnits;
    o.total = r.total;
    return JSON.stringify(o);
  });
  return parts.length === 0 ? '[]\n' : `[\n${parts.join(',\n')}\n]\n`;
}
