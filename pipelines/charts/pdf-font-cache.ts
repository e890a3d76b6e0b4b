/**
 * One word-layout cache per font file for every PDF a thread writes, instead of one per document.
 *
 * pdfkit shapes text word by word through fontkit (GSUB/GPOS lookups) and caches each word's glyph run on the
 * document's font object, so every report starts with an empty cache and shapes the same boilerplate again: about a
 * tenth of a report's layout time. A glyph run depends only on the font file and the word (pdfkit scales positions
 * to 1000 units once, when the run is made); what is per document — the subset, widths and ToUnicode map — is filled
 * in by `encode` from the run's glyph ids and code points, so sharing the runs leaves every PDF byte the same.
 */
import { createRequire } from 'node:module';

interface GlyphRun {
  advanceWidth: number;
}

/** pdfkit's EmbeddedFont (not exported; reached through a font of a throwaway document). */
interface EmbeddedFontLike {
  font: { postscriptName: string; unitsPerEm: number; head: { checkSumAdjustment: number } };
  layoutCache?: Record<string, GlyphRun>;
  layoutRun(text: string): GlyphRun;
  layoutCached(text: string): GlyphRun;
}

/**
 * Words per font kept (a run is ~1.7 KB: 10,000 words ~17 MB a font). Numbers make the set of words open-ended: when
 * full, the words not asked for again since the last pruning go, and the report text every report shares stays.
 */
const MAX_WORDS = 10_000;

const HOOKED = Symbol.for('segfollow.sharedFontLayouts');
let installed = false;
/** pdfkit's own layoutCached, kept so tests can compare against it (unshareFontLayouts). */
let original: ((this: EmbeddedFontLike, text: string) => GlyphRun) | undefined;
let proto: (EmbeddedFontLike & { [HOOKED]?: true }) | undefined;
/**
 * Per font file (name, em size and checksum): the runs by word, and the file's first fontkit font, which shapes
 * every word. Runs hold their glyphs and glyphs their font: shaping with each document's own font would keep every
 * document's parsed font alive in the cache (gigabytes over 312 reports).
 */
interface SharedFont {
  words: Map<string, GlyphRun>;
  /** Words given back from `words` since it was last pruned. */
  hit: Set<string>;
  shaper: { font: EmbeddedFontLike['font']; scale: number };
}
const runs = new Map<string, SharedFont>();
/** Words shaped by this thread's shared cache since it started (for tests and benchmarks). */
export const fontLayouts = { shaped: 0 };
const runsOf = new WeakMap<EmbeddedFontLike, SharedFont>();

function sharedOf(font: EmbeddedFontLike): SharedFont {
  let shared = runsOf.get(font);
  if (!shared) {
    const key = `${font.font.postscriptName}\u0000${font.font.unitsPerEm}\u0000${font.font.head.checkSumAdjustment}`;
    shared = runs.get(key);
    if (!shared) runs.set(key, (shared = { words: new Map(), hit: new Set(), shaper: { font: font.font, scale: 1000 / font.font.unitsPerEm } }));
    runsOf.set(font, shared);
  }
  return shared;
}

/**
 * What a full cache keeps: the words asked for again since the last pruning (the text every report shares), unless
 * they are over half of `max` (then none, so that a pruning always frees at least half).
 */
export function prunedWords<T>(words: ReadonlyMap<string, T>, hit: ReadonlySet<string>, max: number): Map<string, T> {
  const kept = new Map<string, T>();
  if (hit.size > max / 2) return kept;
  for (const w of hit) {
    const run = words.get(w);
    if (run !== undefined) kept.set(w, run);
  }
  return kept;
}

/**
 * Makes pdfkit's embedded fonts share their word layouts across documents of this thread. Idempotent. `fontPath`
 * is any TrueType file pdfkit can embed (used once, to reach the font class). Throws if pdfkit's layoutCached is
 * gone, so an upgrade cannot silently change what this relies on.
 */
export function shareFontLayouts(fontPath: string): void {
  if (installed) return;
  const require = createRequire(import.meta.url);
  const PDFDocument = require('pdfkit') as new (o?: object) => { font(src: string): unknown; _font: object; end(): void };
  const doc = new PDFDocument({ autoFirstPage: false });
  doc.font(fontPath);
  const p = Object.getPrototypeOf(doc._font) as EmbeddedFontLike & { [HOOKED]?: true };
  doc.end();
  if (p[HOOKED]) {
    installed = true;
    return;
  }
  if (typeof p.layoutCached !== 'function' || typeof p.layoutRun !== 'function') {
    throw new Error('pdfkit EmbeddedFont has no layoutCached/layoutRun: the shared font layout cache cannot be installed (pdfkit upgraded?)');
  }
  proto = p;
  original = p.layoutCached;
  p.layoutCached = function layoutCached(this: EmbeddedFontLike, text: string): GlyphRun {
    // The document asked for no cache (pdfkit's fontLayoutCache: false): keep to that.
    if (!this.layoutCache) return this.layoutRun(text);
    const shared = sharedOf(this);
    let run = shared.words.get(text);
    if (run === undefined) {
      // pdfkit's own layoutRun (shape, then scale to 1000 units) with the file's shared font: it reads only these two.
      run = (this.layoutRun as (this: SharedFont['shaper'], t: string) => GlyphRun).call(shared.shaper, text);
      fontLayouts.shaped++;
      if (shared.words.size >= MAX_WORDS) {
        shared.words = prunedWords(shared.words, shared.hit, MAX_WORDS);
        shared.hit = new Set();
      }
      shared.words.set(text, run);
    } else shared.hit.add(text);
    return run;
  };
  p[HOOKED] = true;
  installed = true;
}

/** Words held in the shared cache, over every font (for tests and the curious). */
export function sharedFontLayoutWords(): number {
  let n = 0;
  for (const { words } of runs.values()) n += words.size;
  return n;
}

/** Puts pdfkit's per-document cache back and empties the shared one (tests compare the two). */
export function unshareFontLayouts(): void {
  if (proto && original) {
    proto.layoutCached = original;
    delete proto[HOOKED];
  }
  runs.clear();
  installed = false;
}
