import { readFileSync, rmSync } from 'node:fs';
import { checkOutIsNotInput, outputTempPath, publishOutputFile } from './write-output.ts';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import type { TextSink } from './log.ts';
import { RawDuck } from './measures/duck-raw.ts';
import { readerSettings, readError, rowLabel, tableSource, TRIM_SQL } from './measures/read-table.ts';
import { groupCutOf, loadAreaTypeCatalogue, type GroupCut, type SdKind } from './measures/area-type-catalogue.ts';

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

/**
 * `segfollow area-types …` (argv without the command name). Returns the exit code: 0, 1 or 2 (bad usage or input).
 * Set-based in an in-memory DuckDB from start to end: the table is read once with its values checked in SQL (only
 * cells that are not plain decimals, or missing markers, reach JavaScript, to be judged or refused with file, row
 * and column), classified by sql/area_types/group_stats.sql and cut.sql as in the warehouse, and written with COPY,
 * so five million rows never pass through JavaScript one by one.
 */
export async function runAreaTypesCommand(argv: string[], io: { stdout: TextSink; stderr: TextSink }): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(AREA_TYPES_HELP + '\n');
    return 0;
  }
  const opts = parseOptions(argv);
  checkOutIsNotInput(opts.out, opts.input);
  const catalogue = loadAreaTypeCatalogue();
  const tmp = outputTempPath(opts.out);
  let groups: GroupCut[];
  const db = await RawDuck.open(readerSettings());
  let cutter: RawDuck | undefined;
  try {
    await loadInput(db, opts);
    // The duplicate test and the group statistics side by side, on two connections: the statistics' sort of one
    // group's rows runs on one thread, leaving the other core to the duplicate test. The duplicate is reported first
    // (its message comes before anything the statistics could say); the rows' types are a view over the statistics.
    cutter = await db.connect();
    const classify = async (c: RawDuck): Promise<GroupCut[]> => {
      await c.run(inlineParams(sqlText('group_stats'), { cuts: `[${catalogue.cuts.slice(0, 4).map((x) => String(x.min_sd)).join(', ')}]`, sd_kind: opts.sd }));
      await c.run(cutView());
      return await groupCuts(c);
    };
    const [dup, classified] = await Promise.allSettled([checkDuplicates(db, opts), classify(cutter)]);
    if (dup.status === 'rejected') throw dup.reason;
    if (classified.status === 'rejected') throw classified.reason;
    groups = classified.value;
    await cutter.run(sqlText('js_number'));
    try {
      await cutter.run(`COPY (${await rowsInFileOrder(cutter, opts.by, groups)}) TO ${sqlString(tmp)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`);
    } catch (e) {
      throw new UsageError(`${opts.out ?? 'stdout'}: cannot write the output (${ioCode((e as Error).message)})`, { cause: e });
    }
  } catch (e) {
    rmQuietly(tmp);
    throw e;
  } finally {
    cutter?.close();
    db.close();
  }
  publishOutputFile(tmp, opts.out, io.stdout);
  io.stderr.write(summary(groups, opts));
  return 0;
}

/**
 * Up to this many groups each row's type is found by a CASE over the groups with their SD and cuts written in as
 * literals (a test per group and row; with no --by, one test on a constant column, which costs nothing); with more,
 * the rows are sorted back into file order instead.
 */
const CASE_MAX_GROUPS = 64;

/**
 * The output rows (the --by value, unit, index as JavaScript writes it, type) in file order. DuckDB keeps the order
 * of a projection of one table but not of a join, so with few groups the rows are read straight from
 * area_type_input and typed there by cut.sql's macros with their group's cuts: one pass, no sort, in parallel. With
 * many groups, each row's index and type (cut.sql's result, a join) are sorted by ord and set beside raw_input's own
 * rows (also in file order) by position: the sort carries two numbers a row instead of the whole result.
 */
async function rowsInFileOrder(db: RawDuck, by: string | null, groups: readonly GroupCut[]): Promise<string> {
  const byCol = by === null ? [] : [`grp AS ${sqlIdent(by)}`];
  if (groups.length <= CASE_MAX_GROUPS) {
    // The group statistics already read (groupCuts): each double as JavaScript writes it, the shortest text that
    // reads back to the same double, so the literal is the group's value to the last bit.
    const lit = (v: number | null): string => (v === null ? 'NULL::DOUBLE' : `${sqlString(String(v))}::DOUBLE`);
    const whens = groups.map((g) => `WHEN ${sqlString(g.grp)} THEN area_type_of(idx, ${[g.sd, ...g.cuts].map(lit).join(', ')})`);
    const typed = `SELECT grp, unit, idx, CASE grp ${whens.join(' ')} END AS area_type FROM (SELECT grp, unit, area_type_index(index_value, v1, v2, v3) AS idx FROM area_type_input)`;
    return `SELECT ${[...byCol, 'unit', 'js_number(idx) AS "index"', 'area_type'].join(', ')} FROM (${typed})`;
  }
  await db.run('CREATE TEMP TABLE area_type_rows AS SELECT idx, area_type FROM area_type_result ORDER BY ord');
  return `SELECT ${[...byCol.map((c) => `r.${c}`), 'r.unit', 'js_number(t.idx) AS "index"', 't.area_type'].join(', ')} FROM raw_input r POSITIONAL JOIN area_type_rows t`;
}

/**
 * DuckDB's COPY reports a failed write as text naming its temporary file; the user gets the system's error code,
 * as from every other writer (write-output.ts), and the path they asked for.
 */
function ioCode(message: string): string {
  const codes: readonly [RegExp, string][] = [[/No space left on device/i, 'ENOSPC'], [/Read-only file system/i, 'EROFS'], [/Permission denied/i, 'EACCES'], [/Disk quota exceeded/i, 'EDQUOT']];
  return codes.find(([re]) => re.test(message))?.[1] ?? (message.split('\n')[0] ?? message);
}

function sqlText(name: 'cut' | 'group_stats' | 'js_number' | 'group_cuts'): string {
  return readFileSync(new URL(`../sql/area_types/${name}.sql`, import.meta.url), 'utf8');
}

/**
 * sql/area_types/cut.sql with area_type_result as a view instead of a table: the rule stays in its files, but five
 * million rows are not materialised with every column of the group's statistics beside each of them (which spilled
 * past the reader's memory limit). The two queries that read it (group_cuts.sql, and each row's type in file order)
 * compute only what they select, each a join of the rows to area_type_group, whose sort (group_stats.sql) ran once.
 * group_stats.sql's parameters are written in as literals by inlineParams (a DDL statement here takes none bound),
 * with the same text and types the prepared statement was given (VARCHAR, cast in the SQL).
 */
function cutView(): string {
  const table = 'CREATE OR REPLACE TEMP TABLE area_type_result AS';
  const text = sqlText('cut');
  if (!text.includes(table)) throw new Error(`internal: sql/area_types/cut.sql no longer starts its result with "${table}"`);
  return text.replace(table, 'CREATE OR REPLACE TEMP VIEW area_type_result AS');
}

/** `sql` with each $name outside string literals, quoted identifiers and comments replaced by params[name] as a literal. */
export function inlineParams(sql: string, params: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"') {
      // A literal or quoted identifier; a doubled quote inside is an escaped one, which this loop reads as two
      // adjacent quoted pieces.
      const end = sql.indexOf(ch, i + 1);
      if (end < 0) throw new Error('internal: unclosed quote in SQL');
      out += sql.slice(i, end + 1);
      i = end + 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))?.[0];
      const value = name === undefined ? undefined : params[name];
      if (name === undefined || value === undefined) throw new Error(`internal: SQL parameter $${name ?? ''} has no value`);
      out += sqlString(value);
      i += 1 + name.length;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function rmQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Nothing to clean up.
  }
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

/**
 * Reads the table into area_type_input (cut.sql's input: ord, grp, unit, v1, v2, v3, index_value) with the checks and
 * messages the command always had, in the same order: a missing unit, then a missing --by value, then each value
 * column in turn (a value is a decimal number, or missing: empty, ".." or "."); an area twice in one group is
 * checkDuplicates' to find, afterwards.
 */
async function loadInput(db: RawDuck, opts: Options): Promise<void> {
  const valueCols = opts.index === null ? (opts.components ?? []) : [opts.index];
  const wanted = [...(opts.by === null ? [] : [opts.by]), opts.unit, ...valueCols];
  const src = await tableSource(db, opts.input, wanted);
  const text = (c: string): string => `CAST(${sqlIdent(c)} AS VARCHAR)`;
  // Inside, c0… the cells' text and d0… their numbers where DuckDB reads them as JavaScript would (DECIMAL_SQL).
  // Outside, v0…: those within MAX_MAGNITUDE (+ 0.0 turns -0 into 0), NULL for missing markers and everything else;
  // r0…: the text of the cells that are neither (NULL otherwise), to be judged in JavaScript.
  const inner = [
    `${opts.by === null ? "''" : TRIM_SQL(text(opts.by))} AS grp`,
    `${TRIM_SQL(text(opts.unit))} AS unit`,
    ...valueCols.flatMap((c, i) => [`${text(c)} AS c${i}`, `${DECIMAL_SQL(text(c))} AS d${i}`]),
  ];
  const cols = [
    'grp',
    'unit',
    ...valueCols.flatMap((_, i) => [
      `CASE WHEN abs(d${i}) <= ${MAX_MAGNITUDE} THEN d${i} + 0.0 END AS v${i}`,
      `CASE WHEN abs(d${i}) <= ${MAX_MAGNITUDE} OR c${i} IS NULL THEN NULL WHEN trim(c${i}) IN ('', '..', '.') THEN NULL ELSE c${i} END AS r${i}`,
    ]),
  ];
  try {
    await db.run(`CREATE TABLE raw_input AS SELECT ${cols.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${src.from})`, src.params);
  } catch (e) {
    throw readError(opts.input, e, src.kind);
  }
  const file = opts.input;
  const odd = valueCols.map((_, i) => `count(*) FILTER (WHERE r${i} IS NOT NULL)::DOUBLE AS odd${i}`);
  const [stats = {}] = await db.rows(
    `SELECT count(*)::DOUBLE AS n, min(rowid) FILTER (WHERE unit IS NULL OR unit = '')::DOUBLE AS m_unit, ` +
      `min(rowid) FILTER (WHERE grp IS NULL OR grp = '')::DOUBLE AS m_by, ${odd.join(', ')} FROM raw_input`,
  );
  if (Number(stats.n ?? 0) === 0) throw new UsageError(`${file}: no data rows below the header`);
  if (stats.m_unit !== null && stats.m_unit !== undefined) throw new UsageError(`${file}: ${rowLabel(Number(stats.m_unit))}, column "${opts.unit}": missing value`);
  if (opts.by !== null && stats.m_by !== null && stats.m_by !== undefined) throw new UsageError(`${file}: ${rowLabel(Number(stats.m_by))}, column "${opts.by}": missing value`);

  // Cells SQL did not take as plain decimals: judged here, column by column and row by row; a good one (say " 5\t")
  // goes back to the table as a number.
  const fixes: string[] = [];
  for (let i = 0; i < valueCols.length; i++) {
    if (!(Number(stats[`odd${i}`]) > 0)) continue;
    const cells = await db.rows(`SELECT rowid::DOUBLE AS r, r${i} AS v FROM raw_input WHERE r${i} IS NOT NULL ORDER BY rowid`);
    for (const cell of cells) {
      const v = numericCell(file, String(cell.v), Number(cell.r), valueCols[i] as string);
      fixes.push(`(${i}, ${Number(cell.r)}, ${v === null ? 'NULL' : v.toExponential(17)}::DOUBLE)`);
    }
  }
  if (fixes.length > 0) {
    await db.run('CREATE TEMP TABLE value_fix (col INTEGER, r BIGINT, v DOUBLE)');
    for (let k = 0; k < fixes.length; k += 1000) await db.run(`INSERT INTO value_fix VALUES ${fixes.slice(k, k + 1000).join(', ')}`);
    for (let i = 0; i < valueCols.length; i++) {
      await db.run(`UPDATE raw_input SET v${i} = f.v FROM value_fix f WHERE f.col = ${i} AND f.r = raw_input.rowid`);
    }
  }

  const [v1, v2, v3] = opts.index === null ? ['v0', 'v1', 'v2'] : ['NULL', 'NULL', 'NULL'];
  // A view, not a copy: five million rows are in memory once. Not TEMP, like raw_input: a second connection reads it.
  await db.run(
    `CREATE VIEW area_type_input AS SELECT rowid AS ord, grp, unit, ${v1}::DOUBLE AS v1, ${v2}::DOUBLE AS v2, ${v3}::DOUBLE AS v3, ` +
      `${opts.index === null ? 'NULL' : 'v0'}::DOUBLE AS index_value FROM raw_input`,
  );
}

/** An area twice in one group: the first such row in file order, refused with both rows' numbers. */
async function checkDuplicates(db: RawDuck, opts: Options): Promise<void> {
  // The cheap test first: grouping by a 64-bit hash of (grp, unit) instead of the strings halves its cost, and a
  // collision (odds about 1e-6 in five million areas) only costs the exact query below, which finds no duplicate.
  const [dupCount] = await db.rows('SELECT count(*)::DOUBLE AS n FROM (SELECT 1 FROM raw_input GROUP BY hash(grp, unit) HAVING count(*) > 1)');
  const [dup] =
    Number(dupCount?.n ?? 0) === 0
      ? []
      : await db.rows(
          `SELECT grp, unit, min(rowid)::DOUBLE AS first, list_sort(list(rowid))[2]::DOUBLE AS again FROM raw_input ` +
            `GROUP BY grp, unit HAVING count(*) > 1 ORDER BY again LIMIT 1`,
        );
  if (dup !== undefined) {
    const inBy = opts.by === null ? '' : ` for ${opts.by} = "${String(dup.grp)}"`;
    throw new UsageError(`${opts.input}: ${rowLabel(Number(dup.again))}, column "${opts.unit}": area "${String(dup.unit)}" appears again${inBy} (first at ${rowLabel(Number(dup.first))})`);
  }
}

/**
 * A cell's number where DuckDB's cast reads it as numericCell would, else NULL (numericCell judges the rest). DuckDB's
 * cast skips ASCII white space and trim() drops Unicode spaces, both of which JavaScript's trim() drops too; beyond
 * DECIMAL it also reads digits with underscores ("1_0" as 10) and "+-5", kept out here, and inf and nan, which
 * MAX_MAGNITUDE keeps out. Checked against DECIMAL with Number() over every string of up to five characters from
 * digits, signs, points, exponents, spaces, letters of inf and nan, underscores and commas
 * (tests/area-types/decimal-sql.test.ts the same over four). A regular expression would cost more than the cast:
 * 0.5 s CPU over five million cells.
 */
export const DECIMAL_SQL = (col: string): string =>
  `CASE WHEN NOT (contains(${col}, '_') OR contains(${col}, '+-')) THEN coalesce(TRY_CAST(${col} AS DOUBLE), TRY_CAST(trim(${col}) AS DOUBLE)) END`;

/** Largest |value| accepted: its square (1e300) stays far from the double range's end (1.8e308). */
const MAX_MAGNITUDE = 1e150;

/** One value cell: a number, or null for SCB's missing markers; anything else names the file, row and column. */
function numericCell(file: string, raw: string, r: number, name: string): number | null {
  const s = raw.trim();
  if (MISSING.has(s)) return null;
  const shown = JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
  if (!DECIMAL.test(s)) {
    // A decimal comma is the likeliest cause in Swedish files; guessing would misread "1,234".
    const hint = /^[+-]?\d+,\d+$/.test(s) ? ' (write decimals with a point)' : '';
    throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": value ${shown} is not a number${hint}`);
  }
  const v = Number(s);
  if (!Number.isFinite(v)) throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": value ${shown} is not a finite number`);
  // The standard deviation squares the values: beyond this the square (and the SD) overflow double precision and
  // the cuts become meaningless (±1e308 gave types while the summary said "no types").
  if (Math.abs(v) > MAX_MAGNITUDE) {
    throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": value ${shown} is too large in magnitude (over ${MAX_MAGNITUDE}) for the standard deviation in double precision; rescale the column`);
  }
  return v === 0 ? 0 : v;
}

/** Per --by group, in order of first appearance: rows, areas with an index, mean, SD, cuts and areas per type. */
async function groupCuts(db: RawDuck): Promise<GroupCut[]> {
  return (await db.rows(sqlText('group_cuts'))).map(groupCutOf);
}

function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function summary(groups: readonly GroupCut[], opts: Options): string {
  const lines: string[] = [];
  for (const g of groups) {
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
