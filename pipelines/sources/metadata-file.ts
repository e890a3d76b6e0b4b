/**
 * Writing SCB's table metadata into data/metadata/scb/<TAB>.json the way the stored copies are kept
 * (data/metadata/scb/README.md): the response verbatim except the Region category, cut to its first and last 12
 * codes with their original index positions, `size` kept real, and a `_cut` key as the last key of the Region
 * dimension. Written as the stored copies are (`", "` and `": "` separators, non-ASCII as is, one line, a final
 * newline), atomically.
 *
 * JSON.parse would reorder keys that look like array indices ("1", "2" before "1+2"), so the response is read
 * into an order-keeping tree: only the Region category changes, every other key stays where SCB put it.
 */
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { SourceError } from '../errors.ts';

/** A number keeps its text; an object keeps its key order. */
export type OrderedJson = null | boolean | string | JsonNumber | OrderedJson[] | Map<string, OrderedJson>;

export class JsonNumber {
  constructor(readonly text: string) {}
}

/** Region codes kept at each end of the category. */
export const REGION_KEEP = 12;
const CUT_HOW = `Region category cut to the first and last ${REGION_KEEP} codes; all other fields verbatim`;

export function parseOrderedJson(text: string, what = 'JSON'): OrderedJson {
  let i = 0;
  const fail = (msg: string): never => {
    throw new SourceError(`${what}: not valid JSON (${msg} at character ${i})`);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): OrderedJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, OrderedJson>();
      ws();
      if (text[i] === '}') {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        m.set(k, value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return m;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const a: OrderedJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return a;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!lit) return fail('unexpected character');
    i += lit[0].length;
    return lit[0] === 'true' ? true : lit[0] === 'false' ? false : lit[0] === 'null' ? null : new JsonNumber(lit[0]);
  };
  const v = value();
  ws();
  if (i < text.length) fail('trailing characters');
  return v;
}

/** One line, `", "` and `": "` separators, non-ASCII unescaped: the layout of the stored copies. */
export function formatOrderedJson(v: OrderedJson): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(formatOrderedJson).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}: ${formatOrderedJson(x)}`).join(', ')}}`;
}

/** Plain JSON value (for parseTableMetadata); key order as JSON.parse would give it. */
export function toPlainJson(v: OrderedJson): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(toPlainJson);
  return Object.fromEntries([...v].map(([k, x]) => [k, toPlainJson(x)]));
}

const isMap = (v: OrderedJson | undefined): v is Map<string, OrderedJson> => v instanceof Map;

/**
 * The Region category cut to its first and last REGION_KEEP codes (in index order), each keeping its index
 * position; every code-keyed map of the category (index, label, …) keeps only those codes. `size` stays the real
 * count and `_cut` records it as the dimension's last key. A Region of at most 2 × REGION_KEEP codes, or none,
 * is left as it is. Returns a new tree; the argument is not changed.
 */
export function cutRegion(doc: OrderedJson, tableId: string): OrderedJson {
  if (!isMap(doc)) throw new SourceError(`SCB metadata for ${tableId}: expected a JSON-stat object`);
  const dims = doc.get('dimension');
  const region = isMap(dims) ? dims.get('Region') : undefined;
  if (!isMap(dims) || !isMap(region)) return doc;
  const category = region.get('category');
  if (!isMap(category)) return doc;
  const index = category.get('index');
  let positions: [string, number][];
  if (isMap(index)) positions = [...index].map(([code, pos]) => [code, pos instanceof JsonNumber ? Number(pos.text) : NaN]);
  else if (Array.isArray(index)) positions = index.map((code, pos) => [String(code), pos]);
  else return doc;
  if (positions.some(([, pos]) => !Number.isInteger(pos))) throw new SourceError(`SCB metadata for ${tableId}: Region index holds a position that is not an integer`);
  const total = positions.length;
  if (total <= 2 * REGION_KEEP) return doc;
  const ordered = [...positions].sort((a, b) => a[1] - b[1]);
  const kept = new Set([...ordered.slice(0, REGION_KEEP), ...ordered.slice(-REGION_KEEP)].map(([code]) => code));
  const codes = new Set(positions.map(([code]) => code));
  const newCategory = new Map<string, OrderedJson>();
  for (const [k, v] of category) {
    if (k === 'index') {
      // An array index becomes an object so that the kept codes keep their positions.
      newCategory.set(k, isMap(v) ? new Map([...v].filter(([code]) => kept.has(code))) : new Map(ordered.filter(([code]) => kept.has(code)).map(([code, pos]) => [code, new JsonNumber(String(pos))])));
    } else if (isMap(v) && [...v.keys()].some((code) => codes.has(code))) {
      newCategory.set(k, new Map([...v].filter(([code]) => kept.has(code))));
    } else {
      newCategory.set(k, v);
    }
  }
  const size = doc.get('size');
  const ids = doc.get('id');
  const at = Array.isArray(ids) ? ids.findIndex((x) => x === 'Region') : -1;
  const realSize = Array.isArray(size) && at >= 0 && size[at] instanceof JsonNumber ? Number((size[at] as JsonNumber).text) : total;
  const newRegion = new Map<string, OrderedJson>();
  for (const [k, v] of region) if (k !== '_cut') newRegion.set(k, k === 'category' ? newCategory : v);
  newRegion.set(
    '_cut',
    new Map<string, OrderedJson>([
      ['region_codes_total', new JsonNumber(String(realSize))],
      ['kept', new JsonNumber(String(kept.size))],
      ['how', CUT_HOW],
    ]),
  );
  const newDims = new Map([...dims].map(([k, v]): [string, OrderedJson] => [k, k === 'Region' ? newRegion : v]));
  return new Map([...doc].map(([k, v]): [string, OrderedJson] => [k, k === 'dimension' ? newDims : v]));
}

/** The text of a stored copy: the response with its Region cut, one line and a final newline. */
export function storedMetadataText(responseBody: string, tableId: string, what = `SCB metadata for ${tableId}`): string {
  return formatOrderedJson(cutRegion(parseOrderedJson(responseBody, what), tableId)) + '\n';
}

/** Writes beside the target and renames over it, so a reader never sees half a file. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing was written.
    }
    throw new SourceError(`${file}: cannot write (${(e as Error).message})`, { cause: e });
  }
}
