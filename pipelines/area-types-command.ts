import { checkOutIsNotInput, writeOutput } from './write-output.ts';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import type { TextSink } from './log.ts';
import { readTable, rowLabel, type TextTable } from './measures/read-table.ts';
import { validateKeys } from './measures/validate-columns.ts';
import { classifyAreaTypes, loadAreaTypeCatalogue, type Classification, type IndexInput, type SdKind } from './measures/classify-area-types.ts';

export const AREA_TYPES_HELP = `segfollow area-types — socio-economic area types (områdestyper) for your own table

Usage: segfollow area-types --input FILE --unit COL --index COL [options]
       segfollow area-types --input FILE --unit COL --v1 COL --v2 COL --v3 COL [options]

  --input FILE        CSV (delimiter , ; tab or |, with a header) or Parquet; one row per area (e.g. RegSO)
  --unit COL          area id, unique within each --by group
  --index COL         the socio-economic index, or instead its three components in percent:
  --v1 COL            low economic standard (all ages)
  --v2 COL            pre-upper-secondary education, 20–64
  --v3 COL            economic assistance and/or long-term unemployment, 20–64; the index is (V1 + V2 + V3) / 3
  --by COL            classify each value of this column (e.g. year) on its own; it becomes the first output column
  --sd KIND           population (default, as the warehouse) or sample (divisor n − 1, as R sd() and pandas std())
  --out FILE          write there instead of stdout
  -h, --help          this help

Rule (data/area-types.json; the same SQL as the warehouse): the mean and standard deviation of the index over the
rows that have one, each row counting once; type 1 if index >= mean + 2 SD, 2 if >= mean + 1 SD, 3 if >= mean,
4 if >= mean - 1 SD, else 5. Types are relative to the rows you give: classify all RegSO of a year together to get
the national types.

Output: CSV unit,index,area_type in input order (with --by: <by>,unit,index,area_type); the index at full float64
precision. A row whose index (or a component) is empty, ".." or "." has no index and no type (empty fields) and is
left out of the mean and SD; a group with fewer than two distinct index values cannot be cut and gets no types.
Both are reported on stderr with a summary per group (rows, mean, SD, cuts, areas per type).

Bad input (missing column, non-numeric value, duplicate area, empty or unreadable file) exits 2 naming the file,
row and column. Rows are numbered from 1 at the first data row.`;

/** SCB's markers for a missing or protected cell; anything else that is not a number is an error. */
const MISSING = new Set(['', '..', '.']);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OUTPUT_COLUMNS = ['unit', 'index', 'area_type'] as const;

interface Options {
  input: string;
  unit: string;
  index: string | null;
  components: [string, string, string] | null;
  by: string | null;
  sd: SdKind;
  out: string | null;
}

/** `segfollow area-types …` (argv without the command name). Returns the exit code: 0, 1 or 2 (bad usage or input). */
export async function runAreaTypesCommand(argv: string[], io: { stdout: TextSink; stderr: TextSink }): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(AREA_TYPES_HELP + '\n');
    return 0;
  }
  const opts = parseOptions(argv);
  checkOutIsNotInput(opts.out, opts.input);
  const catalogue = loadAreaTypeCatalogue();
  const wanted = [...(opts.by === null ? [] : [opts.by]), opts.unit, ...(opts.index === null ? (opts.components ?? []) : [opts.index])];
  const table = await readTable(opts.input, wanted);
  const rows = toInput(table, opts);
  const result = await classifyAreaTypes(rows, { catalogue, sdKind: opts.sd });
  const text = toCsv(result, opts.by);
  writeOutput(text, opts.out, io.stdout);
  io.stderr.write(summary(result, opts));
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
        index: { type: 'string' },
        v1: { type: 'string' },
        v2: { type: 'string' },
        v3: { type: 'string' },
        by: { type: 'string' },
        sd: { type: 'string' },
        out: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; run "segfollow area-types --help"`);
  }
  const str = (k: string): string | null => {
    const v = values[k];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const input = str('input');
  const unit = str('unit');
  if (input === null) throw new UsageError('--input FILE is required');
  if (unit === null) throw new UsageError('--unit COL is required');
  const index = str('index');
  const vs = [str('v1'), str('v2'), str('v3')];
  const nV = vs.filter((v) => v !== null).length;
  if (index !== null && nV > 0) throw new UsageError('give either --index COL or --v1/--v2/--v3, not both');
  if (index === null && nV === 0) throw new UsageError('--index COL, or --v1 COL --v2 COL --v3 COL, is required');
  if (index === null && nV < 3) {
    const absent = ['--v1', '--v2', '--v3'].filter((_, i) => vs[i] === null);
    throw new UsageError(`the index needs all three components; ${absent.join(' and ')} ${absent.length > 1 ? 'are' : 'is'} missing`);
  }
  const by = str('by');
  const sd = str('sd') ?? 'population';
  if (sd !== 'population' && sd !== 'sample') throw new UsageError(`--sd must be population or sample, got "${sd}"`);

  const seen = new Map<string, string>();
  const claim = (name: string | null, role: string): void => {
    if (name === null) return;
    const prev = seen.get(name);
    if (prev !== undefined) throw new UsageError(`column "${name}" is given both as ${prev} and as ${role}`);
    seen.set(name, role);
  };
  claim(unit, '--unit');
  claim(index, '--index');
  vs.forEach((v, i) => claim(v, `--v${i + 1}`));
  claim(by, '--by');
  if (by !== null && (OUTPUT_COLUMNS as readonly string[]).includes(by)) {
    throw new UsageError(`--by column "${by}" has the name of an output column (${OUTPUT_COLUMNS.join(', ')}); rename it`);
  }
  return {
    input,
    unit,
    index,
    components: index === null ? (vs as [string, string, string]) : null,
    by,
    sd,
    out: str('out'),
  };
}

function toInput(table: TextTable, opts: Options): IndexInput[] {
  const units = validateKeys(table, opts.unit);
  const groups = opts.by === null ? null : validateKeys(table, opts.by);
  const numbers = (name: string): (number | null)[] => numericColumn(table, name);
  const index = opts.index === null ? null : numbers(opts.index);
  const [c1, c2, c3] = opts.components === null ? [null, null, null] : opts.components.map(numbers);
  const seen = new Map<string, number>();
  const out: IndexInput[] = [];
  for (let r = 0; r < table.nRows; r++) {
    const grp = groups === null ? '' : (groups[r] as string);
    const unit = units[r] as string;
    const key = `${grp}\u0000${unit}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const inBy = opts.by === null ? '' : ` for ${opts.by} = "${grp}"`;
      throw new UsageError(`${table.file}: ${rowLabel(r)}, column "${opts.unit}": area "${unit}" appears again${inBy} (first at ${rowLabel(first)})`);
    }
    seen.set(key, r);
    out.push({ grp, unit, index: index?.[r] ?? null, v1: c1?.[r] ?? null, v2: c2?.[r] ?? null, v3: c3?.[r] ?? null });
  }
  return out;
}

/** Largest |value| accepted: its square (1e300) stays far from the double range's end (1.8e308). */
const MAX_MAGNITUDE = 1e150;

/** A decimal number, or null for SCB's missing markers; anything else names the file, row and column. */
function numericColumn(table: TextTable, name: string): (number | null)[] {
  const values = table.columns.get(name);
  if (!values) throw new Error(`internal: column "${name}" was not read`);
  return values.map((raw, r) => {
    const s = raw?.trim() ?? '';
    if (MISSING.has(s)) return null;
    const shown = JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
    if (!DECIMAL.test(s)) {
      // A decimal comma is the likeliest cause in Swedish files; guessing would misread "1,234".
      const hint = /^[+-]?\d+,\d+$/.test(s) ? ' (write decimals with a point)' : '';
      throw new UsageError(`${table.file}: ${rowLabel(r)}, column "${name}": value ${shown} is not a number${hint}`);
    }
    const v = Number(s);
    if (!Number.isFinite(v)) throw new UsageError(`${table.file}: ${rowLabel(r)}, column "${name}": value ${shown} is not a finite number`);
    // The standard deviation squares the values: beyond this the square (and the SD) overflow double precision and
    // the cuts become meaningless (±1e308 gave types while the summary said "no types").
    if (Math.abs(v) > MAX_MAGNITUDE) {
      throw new UsageError(`${table.file}: ${rowLabel(r)}, column "${name}": value ${shown} is too large in magnitude (over ${MAX_MAGNITUDE}) for the standard deviation in double precision; rescale the column`);
    }
    return v === 0 ? 0 : v;
  });
}

function toCsv(result: Classification, by: string | null): string {
  const lines = [[...(by === null ? [] : [by]), ...OUTPUT_COLUMNS].map(csvField).join(',')];
  for (const a of result.areas) {
    const cells = [csvField(a.unit), a.index === null ? '' : String(a.index), a.areaType === null ? '' : String(a.areaType)];
    lines.push((by === null ? cells : [csvField(a.grp), ...cells]).join(','));
  }
  return lines.join('\n') + '\n';
}

function summary(result: Classification, opts: Options): string {
  const lines: string[] = [];
  for (const g of result.groups) {
    const where = opts.by === null ? '' : `${opts.by} = ${g.grp}: `;
    const missing = g.nRows - g.nAreas;
    if (g.sd === null || !(g.sd > 0)) {
      lines.push(`${where}${g.nRows} rows, ${g.nAreas} with an index: fewer than two distinct index values, so no types`);
      continue;
    }
    const cuts = g.cuts.map((c) => String(c)).join(' / ');
    lines.push(
      `${where}${g.nRows} rows, ${g.nAreas} with an index; mean ${g.mean}, SD ${g.sd} (${opts.sd}); ` +
        `lower bounds of types 1–4: ${cuts}; areas of types 1–5: ${g.counts.join('/')}` +
        (missing > 0 ? `; ${missing} without an index (no type)` : ''),
    );
  }
  return lines.map((l) => `segfollow area-types: ${l}\n`).join('');
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
