/**
 * The one font of the reports: Roboto as pdfmake ships it. The PDF embeds these exact files, and Vega measures
 * chart text with them (fontkit advance widths), so axis labels, titles and legends are laid out with the widths
 * they will really have on the page instead of Vega's 0.8 × font size guess.
 *
 * Roboto has å ä ö and U+2212 but not every character a source title may carry; `fitText` swaps the few we know
 * for readable equivalents and refuses anything else, because a missing glyph would print as an empty box.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as vega from 'vega';
import { StageError } from '../errors.ts';

export const FONT_FAMILY = 'Roboto';

export type Face = 'normal' | 'bold' | 'italics' | 'bolditalics';

export interface ReportFonts {
  family: string;
  /**
   * The TTF files, by pdfmake face name. pdfmake's Roboto has no Bold; Medium is its bold, as in pdfmake's own
   * defaults. The PDF must load them by path: pdfmake's SVG renderer hands font paths straight to pdfkit.
   */
  paths: Record<Face, string>;
  files: Record<Face, Buffer>;
  /** Width in points of `text` set at `size` in the regular or bold face, with kerning. */
  measure(text: string, size: number, bold?: boolean): number;
  /** `text` with characters Roboto lacks replaced; throws on any it cannot replace. */
  fitText(text: string): string;
}

interface FontkitGlyphRun {
  advanceWidth: number;
}
interface FontkitFont {
  unitsPerEm: number;
  layout(text: string): FontkitGlyphRun;
  hasGlyphForCodePoint(codePoint: number): boolean;
}
interface Fontkit {
  create(buffer: Buffer): FontkitFont;
}

/** The fields of a Vega text item that decide its width. */
interface VegaTextItem {
  text?: unknown;
  font?: string;
  fontSize?: number;
  fontWeight?: string | number;
}

type WidthFn = (item: VegaTextItem, text?: unknown) => number;

/** Characters Roboto lacks that our own texts (catalogue, SCB titles) are known to use. */
const SUBSTITUTES: Record<string, string> = {
  '\u2192': 'till', // →, e.g. "DeSO 2018 → DeSO 2025"
  '\u202f': '\u00a0', // narrow no-break space
  '\u2009': '\u00a0', // thin space: Roboto has it, but keep spacing uniform with Intl output
  '\u2011': '-', // non-breaking hyphen
};

const require = createRequire(import.meta.url);

let loaded: ReportFonts | undefined;

function isBold(weight: string | number | undefined): boolean {
  if (weight === undefined) return false;
  if (weight === 'bold' || weight === 'bolder') return true;
  const n = Number(weight);
  return Number.isFinite(n) && n >= 600;
}

function load(): ReportFonts {
  const dir = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
  const paths: Record<Face, string> = {
    normal: join(dir, 'Roboto-Regular.ttf'),
    bold: join(dir, 'Roboto-Medium.ttf'),
    italics: join(dir, 'Roboto-Italic.ttf'),
    bolditalics: join(dir, 'Roboto-MediumItalic.ttf'),
  };
  const files: Record<Face, Buffer> = {
    normal: readFileSync(paths.normal),
    bold: readFileSync(paths.bold),
    italics: readFileSync(paths.italics),
    bolditalics: readFileSync(paths.bolditalics),
  };
  const fontkit = require('fontkit') as Fontkit;
  const regular = fontkit.create(files.normal);
  const medium = fontkit.create(files.bold);
  // Vega asks for the same strings over and over (tick labels, truncation search); layout is the slow part.
  const cache = new Map<string, number>();

  const unitWidth = (text: string, bold: boolean): number => {
    const key = `${bold ? 'b' : 'r'}${text}`;
    let w = cache.get(key);
    if (w === undefined) {
      const font = bold ? medium : regular;
      w = font.layout(text).advanceWidth / font.unitsPerEm;
      cache.set(key, w);
    }
    return w;
  };

  const fitText = (text: string): string => {
    let out = '';
    const missing = new Set<string>();
    for (const ch of text) {
      const sub = SUBSTITUTES[ch];
      if (sub !== undefined) {
        out += sub;
        continue;
      }
      const cp = ch.codePointAt(0) ?? 0;
      if (cp >= 0x20 && !regular.hasGlyphForCodePoint(cp)) missing.add(ch);
      out += ch;
    }
    if (missing.size > 0) {
      const list = [...missing].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
      throw new StageError(`text has characters the report font lacks (${list.join(', ')}): ${JSON.stringify(text)}`);
    }
    return out;
  };

  return {
    family: FONT_FAMILY,
    paths,
    files,
    measure: (text, size, bold = false) => unitWidth(text, bold) * size,
    fitText,
  };
}

function installTextMetrics(fonts: ReportFonts): void {
  const textMetrics = (vega as unknown as { textMetrics: { width: WidthFn } }).textMetrics;
  textMetrics.width = (item, text) => {
    const raw = text ?? item.text;
    const s = raw === null || raw === undefined ? '' : String(raw).trim();
    const size = item.fontSize ?? 11;
    if (!s || size <= 0) return 0;
    // Raw width even when the item has a `limit`: Vega's own truncation search calls this function with
    // candidate prefixes and must see their true widths.
    return fonts.measure(s, size, isBold(item.fontWeight));
  };
}

/**
 * Loads Roboto once per process and makes Vega measure with it. Idempotent; call before rendering any chart.
 */
export function useReportFonts(): ReportFonts {
  if (!loaded) {
    loaded = load();
    installTextMetrics(loaded);
  }
  return loaded;
}
