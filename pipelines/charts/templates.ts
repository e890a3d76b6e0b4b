/**
 * The report charts' templates: templates/charts/style.json (palette, Vega-Lite config, shared parts) and one
 * `<kind>.vl.json` per chart kind with everything static about the chart (marks, encodings, scales, axes,
 * legends, colours, sizes), so a statistician can change a chart without touching TypeScript (templates/README.md).
 * specs.ts fills in what depends on the data and the language. Each file is read and checked once per process; a
 * broken file stops the report with a UsageError naming the file and the field.
 *
 * The template language is small and JSON all through:
 * - `"{{name}}"` as a whole value is replaced by the value the code gives for `name` (any JSON: a number, an
 *   array, a text), or by the palette colour `name` of style.json; `"{{name?}}"` is left out (the key, or the array
 *   element) when the code gives nothing.
 * - `{{name}}` inside a longer text is replaced by the text or number given.
 * - `{ "$use": "part", …more }` is the part `part` of the file's `parts` (or style.json's), with the keys after
 *   `$use` replacing or adding to the part's keys.
 * - `"$when": "flag"` (or `"!flag"`) in an object that is an element of an array keeps the element only when the
 *   code's flag `flag` is true (or false).
 * - `settings`: plain numbers the code reads (row heights, panel sizes).
 * A template lists the placeholders and flags the code fills in `placeholders` (name → what it is); a placeholder
 * not listed there or in the palette is refused when the file is read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { color as parseColor } from 'd3-color';
import type { TopLevelSpec } from 'vega-lite';
import { UsageError } from '../errors.ts';
import { FONT_FAMILY } from './fonts.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
export type TemplateValue = Json | undefined;
export type TemplateParams = Readonly<Record<string, TemplateValue>>;

export interface ChartStyle {
  /** Palette: a name per colour (or list of colours), usable as `{{name}}` in every template. */
  colors: Readonly<Record<string, string | readonly string[]>>;
  /** Colour `name` of the palette (a single colour). */
  color(name: string): string;
  /** List of colours `name` of the palette. */
  colorList(name: string): readonly string[];
  /** The Vega-Lite config every chart starts from (the part `config`). */
  config: JsonObject;
  /** Dash pattern `name` (`dashes` in style.json: on, off, … in points; [] is solid). */
  dash(name: string): number[];
}

export interface ChartTemplate {
  file: string;
  /** The spec with every placeholder filled and every part and flag resolved: a new object on every call. */
  fill(params: TemplateParams): TopLevelSpec;
  /** One of the file's parts, filled like the spec (for pieces the code repeats, such as one map per panel). */
  part(name: string, params: TemplateParams): JsonObject;
  /** The number `settings.<name>`. */
  setting(name: string): number;
}

const DEFAULT_DIR = fileURLToPath(new URL('../../templates/charts/', import.meta.url));
const WHOLE = /^\{\{([A-Za-z_][A-Za-z0-9_]*)(\?)?\}\}$/;
const INNER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Left out of an object or array: a `{{name?}}` without value, or an element whose `$when` is false. */
const OMIT = Symbol('omit');

function shown(file: string): string {
  const i = file.lastIndexOf('templates/charts/');
  return i >= 0 ? file.slice(i) : file;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function readJson(file: string): JsonObject {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${shown(file)}: cannot read the chart template (${(e as Error).message})`, { cause: e });
  }
  if (!isObject(raw)) throw new UsageError(`${shown(file)}: expected a JSON object`);
  return raw as JsonObject;
}

/** A JSON path as a reader finds it: `spec.layer[3].mark.color`. */
function at(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

interface Loaded {
  file: string;
  parts: Readonly<Record<string, Json>>;
  /** The placeholders the code fills. */
  names: ReadonlySet<string>;
  /** The file's settings and the palette: placeholders filled from the files themselves. */
  fixed: Readonly<Record<string, Json>>;
}

/** The value of placeholder `name`: the code's for a declared one, else the setting or palette colour. */
function valueOf(t: Loaded, params: TemplateParams, name: string): TemplateValue {
  return t.names.has(name) ? params[name] : t.fixed[name];
}

/** Checks every `{{…}}`, `$use` and `$when` under `node`; `inArray` says whether node is an element of an array. */
function check(t: Loaded, node: Json, path: string, inArray: boolean, seen: readonly string[] = []): void {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    const names = whole ? [whole[1] as string] : [...node.matchAll(INNER)].map((m) => m[1] as string);
    if (!whole && /\{\{|\}\}/.test(node.replace(INNER, ''))) throw new UsageError(`${shown(t.file)}: "${path}": a stray {{ or }} (placeholders are written {{name}})`);
    for (const n of names) {
      if (!t.names.has(n) && !(n in t.fixed)) throw new UsageError(`${shown(t.file)}: "${path}": unknown placeholder {{${n}}} (not in this file's "placeholders" or "settings", nor a colour of templates/charts/style.json)`);
    }
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((v, i) => check(t, v, at(path, i), true, seen));
    return;
  }
  if (!isObject(node)) return;
  if ('$when' in node) {
    const w = node.$when;
    if (!inArray) throw new UsageError(`${shown(t.file)}: "${at(path, '$when')}": $when is for an element of a list (a layer), not here`);
    if (typeof w !== 'string' || !t.names.has(w.replace(/^!/, ''))) throw new UsageError(`${shown(t.file)}: "${at(path, '$when')}": expected the name of a flag in "placeholders", got ${JSON.stringify(w)}`);
  }
  if ('$use' in node) {
    const u = node.$use;
    if (typeof u !== 'string' || !(u in t.parts)) throw new UsageError(`${shown(t.file)}: "${at(path, '$use')}": no part ${JSON.stringify(u)} (parts: ${Object.keys(t.parts).join(', ')})`);
    if (seen.includes(u)) throw new UsageError(`${shown(t.file)}: "${at(path, '$use')}": part "${u}" uses itself`);
    check(t, t.parts[u] as Json, `parts.${u}`, false, [...seen, u]);
  }
  for (const [k, v] of Object.entries(node)) if (k !== '$use' && k !== '$when' && !k.startsWith('_')) check(t, v, at(path, k), false, seen);
}

/**
 * A filled spec's shape (render-chart.ts compiles a shape once and fills its compiled Vega spec with each chart's own
 * texts): the spec filled with every non-empty text the code gave replaced by a token, and the texts by token number.
 * A token `zqW<n>qz` stands for a whole text value (anywhere in a value the code gave, within lists and objects);
 * `zqI<n>qz` for a text placed inside a longer text (`{{name}}` in an expression). Numbers, flags and the files'
 * own values (palette, settings) stay in the shape.
 */
export interface ChartShape {
  readonly spec: TopLevelSpec;
  readonly texts: readonly string[];
}

/** Gives each distinct text of a shape its token. */
class Tokens {
  readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();
  token(kind: 'W' | 'I', text: string): string {
    const key = `${kind}${text}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(key, id);
    }
    return `zq${kind}${id}qz`;
  }
  whole(v: Json): Json {
    if (typeof v === 'string') return v === '' ? v : this.token('W', v);
    if (Array.isArray(v)) return v.map((x) => this.whole(x));
    if (isObject(v)) {
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.whole(x);
      return out;
    }
    return v;
  }
}

/** The filled value of `node`, or OMIT; with `tokens`, the code's texts as tokens (ChartShape). */
function fillNode(t: Loaded, node: Json, params: TemplateParams, path: string, tokens?: Tokens): Json | typeof OMIT {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) {
      const name = whole[1] as string;
      const v = valueOf(t, params, name);
      if (v === undefined) {
        if (whole[2]) return OMIT;
        throw new UsageError(`${shown(t.file)}: "${path}": the code gave no value for {{${name}}}`);
      }
      return tokens && t.names.has(name) ? tokens.whole(v as Json) : (v as Json);
    }
    if (!node.includes('{{')) return node;
    return node.replace(INNER, (_m, name: string) => {
      const v = valueOf(t, params, name);
      if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`${shown(t.file)}: "${path}": {{${name}}} inside a text needs a text or number, got ${JSON.stringify(v)}`);
      return tokens && t.names.has(name) && typeof v === 'string' && v !== '' ? tokens.token('I', v) : String(v);
    });
  }
  if (Array.isArray(node)) {
    const out: Json[] = [];
    node.forEach((v, i) => {
      if (isObject(v) && typeof v.$when === 'string') {
        const flag = v.$when.replace(/^!/, '');
        const on = params[flag];
        if (typeof on !== 'boolean') throw new UsageError(`${shown(t.file)}: "${at(path, i)}.$when": the code gave no true/false for ${flag}`);
        if (on === v.$when.startsWith('!')) return;
      }
      const f = fillNode(t, v, params, at(path, i), tokens);
      if (f !== OMIT) out.push(f);
    });
    return out;
  }
  if (!isObject(node)) return node;
  let source: JsonObject = node;
  if (typeof node.$use === 'string') {
    const part = t.parts[node.$use];
    if (!isObject(part)) throw new UsageError(`${shown(t.file)}: "${at(path, '$use')}": part "${node.$use}" is not an object`);
    source = { ...part, ...node };
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(source)) {
    // `_` keys are notes for the editor; no Vega-Lite property starts with one.
    if (k === '$use' || k === '$when' || k.startsWith('_')) continue;
    const f = fillNode(t, v, params, at(path, k), tokens);
    if (f !== OMIT) out[k] = f;
  }
  return out;
}

function readStyle(dir: string): { style: ChartStyle; parts: Record<string, Json> } {
  const file = join(dir, 'style.json');
  const raw = readJson(file);
  const colors = raw.colors;
  if (!isObject(colors)) throw new UsageError(`${shown(file)}: "colors": expected an object of colour names`);
  const palette: Record<string, string | readonly string[]> = {};
  for (const [name, v] of Object.entries(colors)) {
    if (name.startsWith('_')) continue;
    if (!NAME.test(name)) throw new UsageError(`${shown(file)}: "colors.${name}": a colour name is letters, digits and _`);
    const list = Array.isArray(v) ? v : [v];
    list.forEach((c, i) => {
      if (typeof c !== 'string' || !parseColor(c)) throw new UsageError(`${shown(file)}: "colors.${name}${Array.isArray(v) ? `[${i}]` : ''}": expected a CSS colour (#1d4f91, white), got ${JSON.stringify(c)}`);
    });
    palette[name] = Array.isArray(v) ? (v as string[]) : (v as string);
  }
  const parts = raw.parts;
  if (!isObject(parts)) throw new UsageError(`${shown(file)}: "parts": expected an object of named parts (config, …)`);
  const loaded: Loaded = { file, parts, names: new Set(), fixed: palette as Record<string, Json> };
  for (const [k, v] of Object.entries(parts)) if (!k.startsWith('_')) check(loaded, v, `parts.${k}`, false);
  if (!isObject(parts.config)) throw new UsageError(`${shown(file)}: "parts.config": expected the Vega-Lite config (an object)`);
  if (parts.config.font !== FONT_FAMILY) throw new UsageError(`${shown(file)}: "parts.config.font": the report embeds and measures ${FONT_FAMILY} only, got ${JSON.stringify(parts.config.font)}`);
  const config = fillNode(loaded, { $use: 'config' }, {}, 'parts.config') as JsonObject;
  const dashes = raw.dashes;
  if (!isObject(dashes)) throw new UsageError(`${shown(file)}: "dashes": expected an object of dash patterns ([4, 2], [] for solid)`);
  for (const [k, v] of Object.entries(dashes)) {
    if (!k.startsWith('_') && (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && n >= 0))) throw new UsageError(`${shown(file)}: "dashes.${k}": expected a list of numbers ([4, 2], [] for solid), got ${JSON.stringify(v)}`);
  }
  const style: ChartStyle = {
    colors: palette,
    config,
    dash(name) {
      const d = dashes[name];
      if (!Array.isArray(d)) throw new UsageError(`${shown(file)}: "dashes.${name}": missing (a dash pattern the charts need)`);
      return [...(d as number[])];
    },
    color(name) {
      const c = palette[name];
      if (typeof c !== 'string') throw new UsageError(`${shown(file)}: "colors.${name}": expected one colour`);
      return c;
    },
    colorList(name) {
      const c = palette[name];
      if (!Array.isArray(c)) throw new UsageError(`${shown(file)}: "colors.${name}": expected a list of colours`);
      return c;
    },
  };
  return { style, parts };
}

/** The shape of each spec `fill` made, made on demand. */
const shapes = new WeakMap<object, () => ChartShape>();

/**
 * The shape of a spec made by a template's `fill`, or undefined for any other spec. The caller must check that the
 * shape filled with its texts is the spec it holds (a spec changed after `fill` has another shape).
 */
export function chartShape(spec: object): ChartShape | undefined {
  return shapes.get(spec)?.();
}

const styles = new Map<string, { style: ChartStyle; parts: Record<string, Json> }>();
const templates = new Map<string, ChartTemplate>();

function styleOf(dir: string): { style: ChartStyle; parts: Record<string, Json> } {
  let s = styles.get(dir);
  if (!s) {
    s = readStyle(dir);
    styles.set(dir, s);
  }
  return s;
}

/** templates/charts/style.json: the palette and the config every chart starts from. */
export function chartStyle(dir: string = DEFAULT_DIR): ChartStyle {
  return styleOf(dir).style;
}

/** The template of one chart kind, `templates/charts/<kind>.vl.json`, read and checked on first use. */
export function chartTemplate(kind: string, dir: string = DEFAULT_DIR): ChartTemplate {
  const key = `${dir}\0${kind}`;
  const hit = templates.get(key);
  if (hit) return hit;
  const { style, parts: shared } = styleOf(dir);
  const file = join(dir, `${kind}.vl.json`);
  const raw = readJson(file);
  for (const k of Object.keys(raw)) {
    if (!k.startsWith('_') && !['placeholders', 'settings', 'parts', 'spec'].includes(k)) throw new UsageError(`${shown(file)}: "${k}": unknown section (expected placeholders, settings, parts, spec; _ for notes)`);
  }
  const declared = raw.placeholders ?? {};
  if (!isObject(declared)) throw new UsageError(`${shown(file)}: "placeholders": expected an object of name → what the code fills in`);
  for (const n of Object.keys(declared)) {
    if (!NAME.test(n)) throw new UsageError(`${shown(file)}: "placeholders.${n}": a placeholder name is letters, digits and _`);
    if (n in style.colors) throw new UsageError(`${shown(file)}: "placeholders.${n}": also a colour of templates/charts/style.json; give it another name`);
  }
  const settings = raw.settings ?? {};
  if (!isObject(settings)) throw new UsageError(`${shown(file)}: "settings": expected an object of numbers`);
  for (const [k, v] of Object.entries(settings)) {
    if (k.startsWith('_')) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`${shown(file)}: "settings.${k}": expected a number ≥ 0, got ${JSON.stringify(v)}`);
    if (k in declared || k in style.colors) throw new UsageError(`${shown(file)}: "settings.${k}": also a placeholder or a colour; give it another name`);
  }
  const own = raw.parts ?? {};
  if (!isObject(own)) throw new UsageError(`${shown(file)}: "parts": expected an object of named parts`);
  const spec = raw.spec;
  if (!isObject(spec)) throw new UsageError(`${shown(file)}: "spec": expected the Vega-Lite spec (an object)`);
  const loaded: Loaded = { file, parts: { ...shared, ...own }, names: new Set(Object.keys(declared)), fixed: { ...(style.colors as Record<string, Json>), ...settings } };
  for (const [k, v] of Object.entries(own)) if (!k.startsWith('_')) check(loaded, v, `parts.${k}`, false);
  check(loaded, spec, 'spec', false);
  const t: ChartTemplate = {
    file: shown(file),
    // Vega-Lite checks the spec when the chart is compiled (render-chart.ts fails on any warning).
    fill(params) {
      const filled = fillNode(loaded, spec, params, 'spec') as unknown as TopLevelSpec;
      // The shape only when render-chart.ts asks for it (a chart whose exact spec it has compiled before does not).
      shapes.set(filled, () => {
        const tokens = new Tokens();
        return { spec: fillNode(loaded, spec, params, 'spec', tokens) as unknown as TopLevelSpec, texts: tokens.texts };
      });
      return filled;
    },
    part(name, params) {
      const p = own[name];
      if (p === undefined) throw new Error(`${shown(file)}: no part "${name}"`);
      return fillNode(loaded, p, params, `parts.${name}`) as JsonObject;
    },
    setting(name) {
      const v = settings[name];
      if (typeof v !== 'number') throw new UsageError(`${shown(file)}: "settings.${name}": missing (a number the chart needs)`);
      return v;
    },
  };
  templates.set(key, t);
  return t;
}

/** Every chart template of `dir`, read and checked (the report reads them before its first chart). */
export function chartTemplates(kinds: readonly string[], dir: string = DEFAULT_DIR): ChartTemplate[] {
  return kinds.map((k) => chartTemplate(k, dir));
}
