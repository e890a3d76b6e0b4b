/**
 * Style resolution for pdfmake (0.3, pinned), the same answers at less cost. pdfmake asks its style stack for every
 * property of every word it measures (some twenty per word: font, bold, fontSize, colour…), and each question
 * allocated a closure, a `Set` and an array and walked the named styles' `extends` chains again: a twelfth of a
 * report's CPU time, and much of its garbage. This layer replaces four methods of StyleContextStack (getProperty,
 * the static getStyleProperty, push, pop) with ones that walk the same stack in the same order without allocating,
 * and, while a document is laid out (LayoutBuilder.layoutDocument: pdfmake reads the style dictionary there and
 * nowhere else, and nothing changes it meanwhile), remembers what a named style says about a property and what a
 * stack answered since its last push or pop. Outside a layout nothing is remembered.
 *
 * tests/report/pdfmake-styles.test.ts fails when pdfmake's versions of these methods change (their source is
 * compared with the text they were validated against) and compares the two implementations on generated stacks.
 */
import { createRequire } from 'node:module';

const INSTALLED = Symbol.for('segfollow.pdfmakeStyles.installed');
/** pdfmake's own methods, kept on the class for the equivalence test. */
export const ORIGINALS = Symbol.for('segfollow.pdfmakeStyles.originals');

type StyleDictionary = Record<string, Record<string, unknown> | undefined>;

/** The slice of pdfmake's StyleContextStack these methods use. */
interface Stack {
  styleDictionary: StyleDictionary;
  defaultStyle?: Record<string, unknown>;
  styleOverrides: unknown[];
  getProperty(property: string): unknown;
}

interface StackClass {
  prototype: object;
  getStyleProperty(item: unknown, stack: Stack | undefined, property: string, defaultValue: unknown): unknown;
}

const isValue = (v: unknown): boolean => v !== undefined && v !== null;
const isString = (v: unknown): boolean => typeof v === 'string' || v instanceof String;

/**
 * A named style's value of a property, following `extends` (last parent first) and never a style twice: pdfmake's
 * getStylePropertyFromStyle, which starts a new `visited` set for each name on the stack.
 */
function fromStyle(dictionary: StyleDictionary, name: unknown, property: string, visited: Set<unknown>): unknown {
  if (visited.has(name)) return undefined;
  visited.add(name);
  const style = dictionary[name as string];
  if (!style) return undefined;
  if (isValue(style[property])) return style[property];
  if (style.extends) {
    const parents = Array.isArray(style.extends) ? (style.extends as unknown[]) : [style.extends];
    for (let i = parents.length - 1; i >= 0; i--) {
      const value = fromStyle(dictionary, parents[i], property, visited);
      if (isValue(value)) return value;
    }
  }
  return undefined;
}

/** What named styles say, per dictionary, style and property, while a document is laid out; null otherwise. */
let memo: WeakMap<StyleDictionary, Map<string, Map<string, unknown>>> | null = null;
/** The last dictionary looked up and its styles' memo (one dictionary per document). */
let lastDictionary: StyleDictionary | null = null;
let lastStyles: Map<string, Map<string, unknown>> | null = null;
/** A cached `undefined` (Map.get cannot tell it from a miss). */
const NONE = Symbol('none');

function namedStyle(dictionary: StyleDictionary, name: unknown, property: string): unknown {
  // A String object is its own key in `visited`: left to the uncached walk, as pdfmake does it.
  if (!memo || typeof name !== 'string') return fromStyle(dictionary, name, property, new Set());
  let styles = dictionary === lastDictionary ? lastStyles : memo.get(dictionary);
  if (!styles) memo.set(dictionary, (styles = new Map()));
  lastDictionary = dictionary;
  lastStyles = styles;
  let known = styles.get(name);
  if (!known) styles.set(name, (known = new Map()));
  const hit = known.get(property);
  if (hit !== undefined) return hit === NONE ? undefined : hit;
  const value = fromStyle(dictionary, name, property, new Set());
  known.set(property, value === undefined ? NONE : value);
  return value;
}

/** Runs `fn` (a document's layout) with named styles remembered; the memo goes when it returns. */
export function withStyleMemo<T>(fn: () => T): T {
  const outer = memo;
  memo = new WeakMap();
  lastDictionary = lastStyles = null;
  try {
    return fn();
  } finally {
    memo = outer;
    lastDictionary = lastStyles = null;
  }
}

/**
 * A stack's answers since its last push or pop, while a document is laid out: TextInlines.measure asks the same stack
 * some twenty properties for every word of a text node. Dropped by push and pop (below), the only changes pdfmake
 * makes to a stack after its clone() filled it; the overrides themselves do not change their style properties during
 * a layout (pdfmake sets `font` on an SVG node to the value the stack already gives for it).
 */
const ANSWERS = Symbol('segfollow.pdfmakeStyles.answers');
type Cached = Stack & { [ANSWERS]?: Map<string, unknown> };

function cachedProperty(stack: Cached, property: string): unknown {
  if (!memo) return stack.getProperty(property);
  let answers = stack[ANSWERS];
  if (!answers) stack[ANSWERS] = answers = new Map();
  const hit = answers.get(property);
  if (hit !== undefined) return hit === NONE ? undefined : hit;
  const value = stack.getProperty(property);
  answers.set(property, value === undefined ? NONE : value);
  return value;
}

/** StyleContextStack.prototype.push and pop, dropping the stack's remembered answers. */
function push(this: Cached, styleNameOrOverride: unknown): void {
  this.styleOverrides.push(styleNameOrOverride);
  this[ANSWERS] = undefined;
}
function pop(this: Cached, howMany = 1): void {
  while (howMany-- > 0) this.styleOverrides.pop();
  this[ANSWERS] = undefined;
}

/** StyleContextStack.prototype.getProperty: the overrides from the top, named styles looked up, then the default style. */
function getProperty(this: Stack, property: string): unknown {
  const overrides = this.styleOverrides;
  if (overrides) {
    for (let i = overrides.length - 1; i >= 0; i--) {
      const item = overrides[i];
      if (isString(item)) {
        const value = namedStyle(this.styleDictionary, item, property);
        if (isValue(value)) return value;
      } else if (isValue((item as Record<string, unknown>)[property])) {
        return (item as Record<string, unknown>)[property];
      }
    }
  }
  return this.defaultStyle && this.defaultStyle[property];
}

/**
 * StyleContextStack.getStyleProperty: the item's own value, else the stack's with the item's styles and the item
 * pushed on it. Pushing and popping is replaced by looking at them first: the item itself has no value (checked
 * above), its named styles are looked at from the last, then the stack as it is.
 */
function getStyleProperty(item: unknown, stack: Stack | undefined, property: string, defaultValue: unknown): unknown {
  const own = (item as Record<string, unknown>)[property];
  if (isValue(own)) return own;
  if (!stack) return defaultValue;
  let value: unknown;
  // autopush pushes nothing for a string or a section.
  const it = item as { style?: unknown; section?: unknown };
  if (!isString(item) && typeof it.section === 'undefined' && it.style) {
    const names = Array.isArray(it.style) ? (it.style as unknown[]) : [it.style];
    for (let i = names.length - 1; i >= 0 && !isValue(value); i--) {
      const name = names[i];
      if (isString(name)) value = namedStyle(stack.styleDictionary, name, property);
      else if (isValue((name as Record<string, unknown>)[property])) value = (name as Record<string, unknown>)[property];
    }
  }
  if (!isValue(value)) value = cachedProperty(stack, property);
  return isValue(value) ? value : defaultValue;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** pdfmake's classes (the paths are pdfmake 0.3's `js/` build). */
export function styleClasses(): { StyleContextStack: StackClass; LayoutBuilder: { prototype: object } } {
  const require = createRequire(import.meta.url);
  return {
    StyleContextStack: (require('pdfmake/js/StyleContextStack.js') as { default: StackClass }).default,
    LayoutBuilder: (require('pdfmake/js/LayoutBuilder.js') as { default: { prototype: object } }).default,
  };
}

/** The implementations this layer installs, for the equivalence test. */
export const STYLE_METHODS = { getProperty, getStyleProperty, push, pop } as const;

/** Installs the layer once per process (per worker thread); idempotent. */
export function installStyleCache(classes = styleClasses()): void {
  const S = classes.StyleContextStack;
  const proto = S.prototype as Record<string | symbol, unknown>;
  if (proto[INSTALLED]) return;
  const L = classes.LayoutBuilder.prototype as Record<string, unknown>;
  const layout = L.layoutDocument;
  if (typeof layout !== 'function' || typeof proto.getProperty !== 'function' || typeof S.getStyleProperty !== 'function') {
    throw new Error('style cache: pdfmake has no StyleContextStack.getProperty/getStyleProperty or LayoutBuilder.layoutDocument to hook (pdfmake upgraded? see tests/report/pdfmake-styles.test.ts)');
  }
  (S as unknown as Record<symbol, unknown>)[ORIGINALS] = { getProperty: proto.getProperty, getStyleProperty: S.getStyleProperty, push: proto.push, pop: proto.pop };
  proto.getProperty = getProperty;
  proto.push = push;
  proto.pop = pop;
  S.getStyleProperty = getStyleProperty;
  L.layoutDocument = function layoutDocument(this: unknown, ...args: unknown[]): unknown {
    return withStyleMemo(() => (layout as Method).apply(this, args));
  };
  proto[INSTALLED] = true;
}
