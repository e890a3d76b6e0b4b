/**
 * The style-resolution layer (pipelines/report/pdfmake-styles.ts) replaces pdfmake's StyleContextStack lookups: it
 * must give the same answer for every stack, item and property, and it must be re-validated when pdfmake changes.
 */
import { describe, expect, it } from 'vitest';
import { pdfmakeFileSha256 } from '../helpers/pdfmake-file.ts';
import { installStyleCache, ORIGINALS, STYLE_METHODS, styleClasses, withStyleMemo } from '../../pipelines/report/pdfmake-styles.ts';

/** StyleContextStack.js of pdfmake 0.3.11, which the layer reimplements three methods of. */
const VALIDATED_SHA256 = '618e1825a4ef4fafd448800541c68b8282ca56975bea44f613eefbaa966405dc';

type Lookup = (this: unknown, property: string) => unknown;
type StaticLookup = (item: unknown, stack: unknown, property: string, defaultValue: unknown) => unknown;

interface StackCtor {
  new (dictionary: object, defaultStyle?: object): { styleOverrides: unknown[]; getProperty(p: string): unknown };
  getStyleProperty: StaticLookup;
}

/** pdfmake's own methods: the installed layer keeps them on the class. */
function originals(): { getProperty: Lookup; getStyleProperty: StaticLookup } {
  const S = styleClasses().StyleContextStack as unknown as Record<symbol, unknown> & { prototype: { getProperty: Lookup }; getStyleProperty: StaticLookup };
  return (S[ORIGINALS] as { getProperty: Lookup; getStyleProperty: StaticLookup } | undefined) ?? { getProperty: S.prototype.getProperty, getStyleProperty: S.getStyleProperty };
}

/** A small deterministic generator (the cases must be the same on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PROPS = ['font', 'bold', 'fontSize', 'color', 'margin', 'alignment'] as const;
const NAMES = ['a', 'b', 'c', 'd', 'e', 'missing'] as const;

describe('pdfmake style resolution layer', () => {
  it('is validated against this pdfmake StyleContextStack (re-validate and update the hash on a pdfmake change)', () => {
    expect(pdfmakeFileSha256('StyleContextStack.js')).toBe(VALIDATED_SHA256);
  });

  it('installs on pdfmake, keeping the originals, and twice is once', () => {
    installStyleCache();
    installStyleCache();
    const S = styleClasses().StyleContextStack as unknown as StackCtor & { prototype: { getProperty: unknown } };
    expect(S.prototype.getProperty).toBe(STYLE_METHODS.getProperty);
    expect(S.getStyleProperty).toBe(STYLE_METHODS.getStyleProperty);
    expect(originals().getProperty).not.toBe(STYLE_METHODS.getProperty);
  });

  it('answers as pdfmake does on generated dictionaries, stacks and items, with and without the memo', () => {
    installStyleCache();
    const S = styleClasses().StyleContextStack as unknown as StackCtor;
    const { getProperty: pmGet, getStyleProperty: pmStatic } = originals();
    const rnd = random(20261205);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const value = (): unknown => pick([undefined, null, 0, false, '', 'x', 12, true, [1, 2, 3, 4]]);
    const styleObject = (): Record<string, unknown> => Object.fromEntries(PROPS.filter(() => rnd() < 0.4).map((p) => [p, value()]));
    let compared = 0;
    let defined = 0;
    for (let round = 0; round < 300; round++) {
      // Named styles with extends chains, arrays of parents, cycles and missing parents.
      const dictionary: Record<string, Record<string, unknown>> = {};
      for (const name of NAMES.slice(0, 5)) {
        const style = styleObject();
        const r = rnd();
        if (r < 0.3) style.extends = pick(NAMES);
        else if (r < 0.5) style.extends = [pick(NAMES), pick(NAMES)];
        dictionary[name] = style;
      }
      const defaultStyle = rnd() < 0.8 ? styleObject() : undefined;
      const entry = (): unknown => (rnd() < 0.5 ? pick(NAMES) : styleObject());
      const overrides = Array.from({ length: Math.floor(rnd() * 6) }, entry);
      const item = ((): unknown => {
        const r = rnd();
        if (r < 0.1) return 'plain text';
        const it: Record<string, unknown> = styleObject();
        if (r < 0.4) it.style = pick(NAMES);
        else if (r < 0.6) it.style = Array.from({ length: 1 + Math.floor(rnd() * 3) }, entry);
        else if (r < 0.65) it.section = {};
        return it;
      })();
      const stack = (): InstanceType<StackCtor> => {
        const s = new S(dictionary, defaultStyle);
        s.styleOverrides.push(...overrides);
        return s;
      };
      for (const memo of [false, true]) {
        const run = (): void => {
          for (const p of PROPS) {
            const ours = stack();
            const theirs = stack();
            const got = ours.getProperty(p);
            expect(got).toStrictEqual(pmGet.call(theirs, p));
            expect(ours.styleOverrides).toEqual(overrides);
            const st = S.getStyleProperty(item, ours, p, 'DEFAULT');
            expect(st).toStrictEqual(pmStatic.call(S, item, theirs, p, 'DEFAULT'));
            // The original pops what it pushed; ours pushes nothing: both leave the stack as it was.
            expect(ours.styleOverrides).toEqual(theirs.styleOverrides);
            expect(S.getStyleProperty(item, undefined, p, 'D')).toStrictEqual(pmStatic.call(S, item, undefined, p, 'D'));
            compared++;
            if (got !== undefined && got !== null) defined++;
          }
          // One stack asked again and again as it changes: what it remembers must go with each push and pop.
          const ours = stack();
          const theirs = stack();
          const pushed = entry();
          const steps: ((s: InstanceType<StackCtor>) => void)[] = [(s) => s.styleOverrides.length, (s) => (s as unknown as { push(x: unknown): void }).push(pushed), (s) => (s as unknown as { pop(n?: number): void }).pop(), (s) => (s as unknown as { pop(n?: number): void }).pop(2)];
          for (const step of steps) {
            step(ours);
            step(theirs);
            expect(ours.styleOverrides).toEqual(theirs.styleOverrides);
            for (const p of PROPS) {
              for (let twice = 0; twice < 2; twice++) expect(S.getStyleProperty(item, ours, p, 'DEFAULT')).toStrictEqual(pmStatic.call(S, item, theirs, p, 'DEFAULT'));
            }
          }
        };
        if (memo) withStyleMemo(run);
        else run();
      }
    }
    // The cases exercise real lookups, not only misses.
    expect(compared).toBe(300 * 2 * PROPS.length);
    expect(defined).toBeGreaterThan(compared / 4);
  });

  it('remembers named styles only during a layout: a dictionary changed between documents is read anew', () => {
    installStyleCache();
    const S = styleClasses().StyleContextStack as unknown as StackCtor;
    const dictionary: Record<string, Record<string, unknown>> = { h: { fontSize: 10 } };
    const s = new S(dictionary, {});
    s.styleOverrides.push('h');
    expect(withStyleMemo(() => s.getProperty('fontSize'))).toBe(10);
    dictionary.h = { fontSize: 14 };
    expect(withStyleMemo(() => s.getProperty('fontSize'))).toBe(14);
    expect(s.getProperty('fontSize')).toBe(14);
  });
});
