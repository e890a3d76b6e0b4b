/**
 * The project's own structural checker for tagged PDFs (PDF/UA-1 core, PDF/A-2a identification). It reads the file
 * with pdf-objects.ts and verifies what can be verified without veraPDF or a screen reader:
 *
 * - catalogue: /Lang, /MarkInfo Marked, DisplayDocTitle, a structure tree, Info /Title, XMP with dc:title and
 *   pdfuaid:part 1 (well-formed); with PDF/A: pdfaid 2/A, the pdfaExtension schema for pdfuaid, an sRGB output intent;
 * - structure tree: every element's /P points at its parent, parent/child types are legal (TR in Table/THead/TBody,
 *   TH/TD in TR, LI in L, Lbl/LBody in LI, TOCI in TOC …), only standard types, Figure with /Alt, TH with /Scope
 *   (Column in a header row, Row in a body row),
 *   Link with an OBJR, headings that skip no level going down;
 * - marked content: every MCID in the content maps through the ParentTree to exactly the element whose /K holds it,
 *   every MCID of the tree exists in the content once, no painting operator outside marked content or an artifact,
 *   no tagged sequence nested in another or straddling q/Q;
 * - annotations: every link has /StructParent → a Link element with its OBJR, and /Contents; pages with annotations
 *   have /Tabs /S;
 * - fonts: every font embedded (FontFile*) with a /ToUnicode map.
 */
import {
  dictOf,
  isDict,
  isName,
  isRef,
  isStream,
  Lexer,
  parseValue,
  resolve,
  textString,
  type PdfFile,
  type PdfValue,
  type Token,
} from './pdf-objects.ts';

export interface CheckStats {
  pages: number;
  elements: number;
  roles: Record<string, number>;
  mcids: number;
  artifacts: number;
  paints: number;
  links: number;
  fonts: number;
  /** Rows under THead: with one header row per table, equal to the tables (a repeated header is an artifact). */
  headRows: number;
  /** Header cells by /Scope: Column in header rows, Row for the row headers of body rows. */
  scopes: Record<string, number>;
  archive: boolean;
}

export interface CheckResult {
  errors: string[];
  stats: CheckStats;
}

const STANDARD = new Set([
  'Document', 'Part', 'Art', 'Sect', 'Div', 'BlockQuote', 'Caption', 'TOC', 'TOCI', 'Index', 'NonStruct', 'Private',
  'P', 'H', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'L', 'LI', 'Lbl', 'LBody', 'Table', 'TR', 'TH', 'TD', 'THead', 'TBody',
  'TFoot', 'Span', 'Quote', 'Note', 'Reference', 'BibEntry', 'Code', 'Link', 'Annot', 'Ruby', 'RB', 'RT', 'RP',
  'Warichu', 'WT', 'WP', 'Figure', 'Formula', 'Form',
]);

/** Allowed parents of a type (ISO 32000-1 14.8.4 and PDF/UA-1's use of them). */
const PARENTS: Record<string, readonly string[]> = {
  TR: ['Table', 'THead', 'TBody', 'TFoot'],
  TH: ['TR'],
  TD: ['TR'],
  THead: ['Table'],
  TBody: ['Table'],
  TFoot: ['Table'],
  LI: ['L'],
  Lbl: ['LI', 'BibEntry', 'Note'],
  LBody: ['LI'],
  TOCI: ['TOC'],
};
/** Allowed children of a type. */
const CHILDREN: Record<string, readonly string[]> = {
  Table: ['TR', 'THead', 'TBody', 'TFoot', 'Caption'],
  THead: ['TR'],
  TBody: ['TR'],
  TFoot: ['TR'],
  TR: ['TH', 'TD'],
  L: ['LI', 'L', 'Caption'],
  LI: ['Lbl', 'LBody'],
  TOC: ['TOCI', 'TOC', 'Caption'],
};

const PAINT = new Set(['f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'S', 's', 'sh', 'Do', 'Tj', 'TJ', "'", '"', 'BI']);

interface Element {
  num: number;
  role: string;
  parent: number;
}

function numberTree(pdf: PdfFile, node: PdfValue | undefined, out: Map<number, PdfValue>, depth = 0): void {
  const d = dictOf(pdf, node);
  if (!d || depth > 32) return;
  const nums = resolve(pdf, d.get('Nums'));
  if (Array.isArray(nums)) for (let i = 0; i + 1 < nums.length; i += 2) out.set(Number(nums[i]), nums[i + 1] as PdfValue);
  const kids = resolve(pdf, d.get('Kids'));
  if (Array.isArray(kids)) for (const k of kids) numberTree(pdf, k, out, depth + 1);
}

function pagesOf(pdf: PdfFile, node: PdfValue | undefined, out: number[], depth = 0): void {
  if (!isRef(node) || depth > 64) return;
  const d = dictOf(pdf, node);
  if (!d) return;
  if (isName(d.get('Type'), 'Page')) {
    out.push(node.num);
    return;
  }
  const kids = resolve(pdf, d.get('Kids'));
  if (Array.isArray(kids)) for (const k of kids) pagesOf(pdf, k, out, depth + 1);
}

function attrOf(pdf: PdfFile, a: PdfValue | undefined, key: string): PdfValue | undefined {
  const r = resolve(pdf, a);
  const list = Array.isArray(r) ? r : r === undefined ? [] : [r];
  for (const x of list) {
    const d = dictOf(pdf, x);
    if (d?.has(key)) return d.get(key);
  }
  return undefined;
}

/** A minimal well-formedness check of the XMP packet: tags balance and nest. */
function xmlWellFormed(xml: string): string | null {
  const body = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return `closing </${name}> does not match`;
    } else stack.push(name as string);
  }
  if (stack.length) return `<${stack[stack.length - 1]}> not closed`;
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(body)) return 'a bare & in text';
  return null;
}

export function checkTaggedPdf(pdf: PdfFile): CheckResult {
  const errors: string[] = [];
  const err = (s: string): void => {
    if (errors.length < 200) errors.push(s);
  };
  const stats: CheckStats = { pages: 0, elements: 0, roles: {}, mcids: 0, artifacts: 0, paints: 0, links: 0, fonts: 0, headRows: 0, scopes: {}, archive: false };
  const root = dictOf(pdf, pdf.trailer.get('Root'));
  if (!root) return { errors: ['no document catalogue (trailer /Root)'], stats };

  // ---- Catalogue, Info, XMP. ----
  const lang = textString(resolve(pdf, root.get('Lang')) as PdfValue);
  if (!lang?.trim()) err('catalogue: no /Lang');
  if (resolve(pdf, dictOf(pdf, root.get('MarkInfo'))?.get('Marked')) !== true) err('catalogue: /MarkInfo /Marked is not true');
  if (resolve(pdf, dictOf(pdf, root.get('ViewerPreferences'))?.get('DisplayDocTitle')) !== true) err('catalogue: /ViewerPreferences /DisplayDocTitle is not true');
  const info = dictOf(pdf, pdf.trailer.get('Info'));
  const title = textString(resolve(pdf, info?.get('Title')) as PdfValue);
  if (!title?.trim()) err('Info: no /Title');
  const meta = resolve(pdf, root.get('Metadata'));
  if (!isStream(meta)) err('catalogue: no XMP /Metadata stream');
  else {
    const xmp = Buffer.from(meta.data, 'latin1').toString('utf8');
    const bad = xmlWellFormed(xmp);
    if (bad) err(`XMP: not well-formed (${bad})`);
    if (!/<pdfuaid:part>1<\/pdfuaid:part>/.test(xmp)) err('XMP: no pdfuaid:part 1 (PDF/UA-1 identification)');
    if (!/<dc:title>[\s\S]*<rdf:li[^>]*>[^<]+<\/rdf:li>[\s\S]*<\/dc:title>/.test(xmp)) err('XMP: no dc:title');
    if (/pdfaid:part/.test(xmp)) {
      stats.archive = true;
      if (!/<pdfaid:part>2<\/pdfaid:part>/.test(xmp) || !/<pdfaid:conformance>A<\/pdfaid:conformance>/.test(xmp)) err('XMP: PDF/A identification is not 2/A');
      if (!/<pdfaSchema:prefix>pdfuaid<\/pdfaSchema:prefix>/.test(xmp)) err('XMP: PDF/A without the pdfaExtension schema declaring pdfuaid');
      const intents = resolve(pdf, root.get('OutputIntents'));
      const first = Array.isArray(intents) ? dictOf(pdf, intents[0]) : undefined;
      const profile = resolve(pdf, first?.get('DestOutputProfile'));
      if (!first || !isName(first.get('S'), 'GTS_PDFA1') || !isStream(profile) || profile.dict.get('N') !== 3) err('catalogue: PDF/A without an RGB output intent with an ICC profile');
    }
  }

  // ---- Pages. ----
  const pages: number[] = [];
  pagesOf(pdf, root.get('Pages'), pages);
  stats.pages = pages.length;
  const pageIndex = new Map(pages.map((n, i) => [n, i + 1]));

  // ---- Structure tree. ----
  const strRef = root.get('StructTreeRoot');
  const str = dictOf(pdf, strRef);
  const elements = new Map<number, Element>();
  /** "page:mcid" → element number, from the elements' /K. */
  const mcidOwner = new Map<string, number>();
  /** annotation object → element number, from OBJRs. */
  const objrOwner = new Map<number, number>();
  const headings: { level: number; num: number }[] = [];
  if (!str || !isRef(strRef)) err('catalogue: no /StructTreeRoot');
  else {
    const visit = (ref: PdfValue, parent: number, parentRole: string, inheritedPg: number | undefined): void => {
      if (!isRef(ref)) {
        err(`structure: a child of ${parentRole} (${parent}) is not an indirect element`);
        return;
      }
      if (elements.has(ref.num)) {
        err(`structure: element ${ref.num} reached twice`);
        return;
      }
      const d = dictOf(pdf, ref);
      if (!d) {
        err(`structure: ${ref.num} is not a dictionary`);
        return;
      }
      const s = d.get('S');
      const role = isName(s) ? s.name : '?';
      elements.set(ref.num, { num: ref.num, role, parent });
      stats.roles[role] = (stats.roles[role] ?? 0) + 1;
      if (role === 'TR' && parentRole === 'THead') stats.headRows++;
      const p = d.get('P');
      if (!isRef(p) || p.num !== parent) err(`structure: ${role} ${ref.num} has /P ${isRef(p) ? p.num : 'missing'}, its parent is ${parent}`);
      if (!STANDARD.has(role)) err(`structure: ${role} ${ref.num} is not a standard structure type (no RoleMap)`);
      const allowedParents = PARENTS[role];
      if (allowedParents && !allowedParents.includes(parentRole)) err(`structure: ${role} ${ref.num} inside ${parentRole}`);
      const allowedKids = CHILDREN[parentRole];
      if (allowedKids && !allowedKids.includes(role)) err(`structure: ${parentRole} ${parent} holds ${role} ${ref.num}`);
      if (role === 'Figure' && !textString(resolve(pdf, d.get('Alt')) as PdfValue)?.trim()) err(`structure: Figure ${ref.num} without /Alt`);
      if (role === 'TH') {
        const scope = resolve(pdf, attrOf(pdf, d.get('A'), 'Scope')) as PdfValue;
        if (!isName(scope)) err(`structure: TH ${ref.num} without /Scope`);
        else {
          stats.scopes[scope.name] = (stats.scopes[scope.name] ?? 0) + 1;
          // A header row's cells head their columns; a header cell in a body row heads its row.
          const inHead = elements.get(elements.get(parent)?.parent ?? -1)?.role === 'THead';
          const want = inHead ? 'Column' : 'Row';
          if (scope.name !== want && scope.name !== 'Both') err(`structure: TH ${ref.num} in a ${inHead ? 'header' : 'body'} row has /Scope /${scope.name}, not /${want}`);
        }
      }
      const h = /^H([1-6])$/.exec(role);
      if (h) headings.push({ level: Number(h[1]), num: ref.num });
      const pg = isRef(d.get('Pg')) ? (d.get('Pg') as { num: number }).num : inheritedPg;
      const k = resolve(pdf, d.get('K'));
      const kids = Array.isArray(k) ? k : k === undefined || k === null ? [] : [k];
      let objrs = 0;
      for (const kid of kids) {
        if (typeof kid === 'number') {
          if (pg === undefined) err(`structure: ${role} ${ref.num} has MCID ${kid} without /Pg`);
          else {
            const key = `${pg}:${kid}`;
            if (mcidOwner.has(key)) err(`structure: MCID ${kid} on page ${pageIndex.get(pg)} held by ${mcidOwner.get(key)} and ${ref.num}`);
            mcidOwner.set(key, ref.num);
          }
          continue;
        }
        const kd = isRef(kid) ? dictOf(pdf, kid) : isDict(kid) ? kid.dict : undefined;
        const type = kd?.get('Type');
        if (kd && isName(type, 'MCR')) {
          const kpg = kd.get('Pg');
          const at = isRef(kpg) ? kpg.num : pg;
          const key = `${at}:${String(kd.get('MCID'))}`;
          if (mcidOwner.has(key)) err(`structure: MCID ${String(kd.get('MCID'))} on page ${pageIndex.get(at ?? -1)} held twice`);
          mcidOwner.set(key, ref.num);
        } else if (kd && isName(type, 'OBJR')) {
          const obj = kd.get('Obj');
          if (!isRef(obj)) err(`structure: OBJR in ${role} ${ref.num} without /Obj`);
          else {
            objrs++;
            objrOwner.set(obj.num, ref.num);
          }
        } else visit(kid, ref.num, role, pg);
      }
      if (role === 'Link' && objrs === 0) err(`structure: Link ${ref.num} without an OBJR (its annotation is not tagged)`);
    };
    const top = resolve(pdf, str.get('K'));
    const tops = Array.isArray(top) ? top : top === undefined ? [] : [top];
    if (tops.length !== 1) err(`structure: the tree has ${tops.length} top elements, expected one Document`);
    for (const t of tops) visit(t, strRef.num, 'StructTreeRoot', undefined);
    const first = tops[0];
    if (isRef(first) && elements.get(first.num)?.role !== 'Document') err('structure: the top element is not Document');
    stats.elements = elements.size;
    let last = 0;
    for (const h of headings) {
      if (h.level > last + 1) err(`structure: H${h.level} ${h.num} follows H${last} (a heading level skipped)`);
      last = h.level;
    }
  }
  const parentTree = new Map<number, PdfValue>();
  numberTree(pdf, str?.get('ParentTree'), parentTree);

  // ---- Content streams, page by page. ----
  const seen = new Set<string>();
  for (const pageNum of pages) {
    const pno = pageIndex.get(pageNum) ?? 0;
    const page = dictOf(pdf, { num: pageNum, gen: 0 });
    if (!page) continue;
    const contents = resolve(pdf, page.get('Contents'));
    const parts = Array.isArray(contents) ? contents.map((c) => resolve(pdf, c)) : [contents];
    const data = parts.map((p) => (isStream(p) ? p.data : '')).join('\n');
    const sp = page.get('StructParents');
    const row = typeof sp === 'number' ? resolve(pdf, parentTree.get(sp)) : undefined;
    const stack: { kind: 'tagged' | 'artifact' | 'other'; q: number }[] = [];
    let q = 0;
    let operands: Token[] = [];
    const lx = new Lexer(data);
    const inTagged = (): boolean => stack.some((m) => m.kind !== 'other');
    for (let tok = lx.next(); tok; tok = lx.next()) {
      if (tok.t !== 'kw') {
        if (tok.t === 'open') {
          // Arrays (TJ) and dictionaries (BDC properties) are operands: read them whole.
          lx.pos -= tok.v.length;
          const v = parseValue(lx);
          operands.push({ t: 'kw', v: JSON.stringify(isDict(v) ? Object.fromEntries(v.dict) : 0) });
        } else operands.push(tok);
        continue;
      }
      const op = tok.v;
      if (op === 'q') q++;
      else if (op === 'Q') q--;
      else if (op === 'BDC' || op === 'BMC') {
        const tag = operands.find((o) => o.t === 'name')?.v ?? '';
        const props = op === 'BDC' ? operands[operands.length - 1] : undefined;
        const mcidMatch = props?.t === 'kw' ? /"MCID":(\d+)/.exec(props.v) : null;
        const kind = tag === 'Artifact' ? 'artifact' : mcidMatch ? 'tagged' : 'other';
        if (kind !== 'other' && inTagged()) err(`page ${pno}: ${tag} sequence nested inside another tagged or artifact sequence`);
        if (kind === 'artifact') stats.artifacts++;
        if (mcidMatch) {
          const mcid = Number(mcidMatch[1]);
          stats.mcids++;
          const key = `${pageNum}:${mcid}`;
          if (seen.has(key)) err(`page ${pno}: MCID ${mcid} used twice in the content`);
          seen.add(key);
          const owner = mcidOwner.get(key);
          if (owner === undefined) err(`page ${pno}: MCID ${mcid} belongs to no structure element`);
          const viaTree = Array.isArray(row) ? row[mcid] : undefined;
          if (!isRef(viaTree)) err(`page ${pno}: MCID ${mcid} has no ParentTree entry${typeof sp === 'number' ? '' : ' (page without /StructParents)'}`);
          else if (owner !== undefined && viaTree.num !== owner) err(`page ${pno}: MCID ${mcid} maps through the ParentTree to ${viaTree.num}, but ${owner} holds it`);
          else if (owner !== undefined && elements.get(owner)?.role !== tag) err(`page ${pno}: MCID ${mcid} is marked ${tag} but its element is ${elements.get(owner)?.role}`);
        }
        stack.push({ kind, q });
      } else if (op === 'EMC') {
        const m = stack.pop();
        if (!m) err(`page ${pno}: EMC without an open sequence`);
        else if (m.q !== q) err(`page ${pno}: a marked-content sequence straddles q/Q`);
      } else if (PAINT.has(op)) {
        stats.paints++;
        if (!inTagged()) err(`page ${pno}: painting operator ${op} outside marked content and artifacts`);
      }
      operands = [];
    }
    if (stack.length) err(`page ${pno}: ${stack.length} marked-content sequence(s) not closed`);

    // ---- Annotations. ----
    const annots = resolve(pdf, page.get('Annots'));
    const list = Array.isArray(annots) ? annots : [];
    if (list.length && !isName(page.get('Tabs'), 'S')) err(`page ${pno}: annotations but no /Tabs /S`);
    for (const a of list) {
      const ad = dictOf(pdf, a);
      if (!ad || !isName(ad.get('Subtype'), 'Link')) continue;
      stats.links++;
      const num = isRef(a) ? a.num : -1;
      const k = ad.get('StructParent');
      const el = typeof k === 'number' ? resolve(pdf, parentTree.get(k)) : undefined;
      const owner = objrOwner.get(num);
      if (typeof k !== 'number') err(`page ${pno}: link annotation ${num} without /StructParent`);
      else if (!isRef(parentTree.get(k))) err(`page ${pno}: link annotation ${num}: /StructParent ${k} not in the ParentTree`);
      else if (owner === undefined || (parentTree.get(k) as { num: number }).num !== owner) err(`page ${pno}: link annotation ${num} is not the OBJR of the element its /StructParent names`);
      else if (elements.get(owner)?.role !== 'Link') err(`page ${pno}: link annotation ${num} belongs to ${elements.get(owner)?.role}, not Link`);
      if (!el) continue;
      if (!textString(resolve(pdf, ad.get('Contents')) as PdfValue)?.trim()) err(`page ${pno}: link annotation ${num} without /Contents`);
    }

    // ---- Fonts. ----
    const fonts = dictOf(pdf, dictOf(pdf, page.get('Resources'))?.get('Font'));
    for (const [name, f] of fonts ?? []) {
      const fd = dictOf(pdf, f);
      if (!fd) continue;
      const desc = isName(fd.get('Subtype'), 'Type0') ? dictOf(pdf, (resolve(pdf, fd.get('DescendantFonts')) as PdfValue[] | undefined)?.[0]) : fd;
      const descriptor = dictOf(pdf, desc?.get('FontDescriptor'));
      if (!descriptor || !['FontFile', 'FontFile2', 'FontFile3'].some((k) => descriptor.has(k))) err(`page ${pno}: font ${name} is not embedded`);
      if (!fd.has('ToUnicode')) err(`page ${pno}: font ${name} has no /ToUnicode`);
    }
    stats.fonts = Math.max(stats.fonts, fonts?.size ?? 0);
  }
  for (const key of mcidOwner.keys()) {
    if (!seen.has(key)) {
      const [pg, mcid] = key.split(':');
      err(`structure: MCID ${mcid} of page ${pageIndex.get(Number(pg))} is in the tree but not in the content`);
    }
  }
  return { errors, stats };
}

// ---- Text in structure order. ----

/** A font's ToUnicode map: character code (two bytes for pdfkit's Identity-H fonts) → text. */
function toUnicode(pdf: PdfFile, font: Map<string, PdfValue> | undefined): { bytes: number; map: Map<number, string> } {
  const map = new Map<number, string>();
  const cmap = resolve(pdf, font?.get('ToUnicode'));
  const bytes = isName(font?.get('Subtype'), 'Type0') ? 2 : 1;
  if (!isStream(cmap)) return { bytes, map };
  const hex = (h: string): number => parseInt(h, 16);
  // A destination may hold several code units with spaces between them (pdfkit writes ligatures as `<0066 006c>`).
  const utf16 = (h: string): string => Buffer.from(h.replace(/\s+/g, ''), 'hex').swap16().toString('utf16le');
  const data = cmap.data;
  for (const block of data.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F\s]+)>/g)) map.set(hex(m[1] as string), utf16(m[2] as string));
  }
  for (const block of data.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F\s]+>|\[[^\]]*\])/g)) {
      const lo = hex(m[1] as string);
      const hi = hex(m[2] as string);
      const dst = m[3] as string;
      if (dst.startsWith('[')) [...dst.matchAll(/<([0-9a-fA-F\s]+)>/g)].forEach((d, i) => map.set(lo + i, utf16(d[1] as string)));
      else {
        const base = hex(dst.slice(1, -1));
        const width = dst.length - 2;
        for (let c = lo; c <= hi; c++) map.set(c, utf16((base + c - lo).toString(16).padStart(width, '0')));
      }
    }
  }
  return { bytes, map };
}

/**
 * The structure tree's content in tree order, as a screen reader would meet it: one entry per element with text of
 * its own (the text of its MCIDs, decoded through the fonts' ToUnicode maps, consecutive pieces joined), with the
 * element's type. The same reading as poppler's `pdfinfo -struct-text`, which a test cross-checks; this one is fast
 * on reports with thousands of elements.
 */
export function structureText(pdf: PdfFile): { role: string; text: string }[] {
  const root = dictOf(pdf, pdf.trailer.get('Root'));
  const pages: number[] = [];
  pagesOf(pdf, root?.get('Pages'), pages);
  const textOf = new Map<string, string>();
  for (const pageNum of pages) {
    const page = dictOf(pdf, { num: pageNum, gen: 0 });
    const fonts = dictOf(pdf, dictOf(pdf, page?.get('Resources'))?.get('Font'));
    const maps = new Map([...(fonts ?? [])].map(([name, f]) => [name, toUnicode(pdf, dictOf(pdf, f))]));
    const contents = resolve(pdf, page?.get('Contents'));
    const parts = Array.isArray(contents) ? contents.map((c) => resolve(pdf, c)) : [contents];
    const lx = new Lexer(parts.map((p) => (isStream(p) ? p.data : '')).join('\n'));
    const stack: (string | null)[] = [];
    let font = maps.values().next().value;
    let operands: Token[] = [];
    const show = (s: string): void => {
      const key = [...stack].reverse().find((k) => k !== null);
      if (!key || !font) return;
      let out = '';
      for (let i = 0; i + font.bytes <= s.length; i += font.bytes) {
        const code = font.bytes === 2 ? (s.charCodeAt(i) << 8) | s.charCodeAt(i + 1) : s.charCodeAt(i);
        out += font.map.get(code) ?? '';
      }
      textOf.set(key, (textOf.get(key) ?? '') + out);
    };
    for (let tok = lx.next(); tok; tok = lx.next()) {
      if (tok.t === 'open' && tok.v === '[') {
        lx.pos -= 1;
        const arr = parseValue(lx);
        if (Array.isArray(arr)) for (const x of arr) if (typeof x === 'object' && x !== null && 'bytes' in x) operands.push({ t: 'str', v: (x as { bytes: string }).bytes, hex: true });
        continue;
      }
      if (tok.t === 'open') {
        lx.pos -= tok.v.length;
        const v = parseValue(lx);
        const mcid = isDict(v) ? v.dict.get('MCID') : undefined;
        operands.push({ t: 'kw', v: typeof mcid === 'number' ? `MCID:${mcid}` : '' });
        continue;
      }
      if (tok.t !== 'kw') {
        operands.push(tok);
        continue;
      }
      const op = tok.v;
      if (op === 'BDC') {
        const m = /^MCID:(\d+)$/.exec(operands[operands.length - 1]?.v.toString() ?? '');
        stack.push(m ? `${pageNum}:${m[1]}` : null);
      } else if (op === 'BMC') stack.push(null);
      else if (op === 'EMC') stack.pop();
      else if (op === 'Tf') font = maps.get(String(operands[0]?.v)) ?? font;
      else if (op === 'Tj' || op === 'TJ' || op === "'" || op === '"') for (const o of operands) if (o.t === 'str') show(o.v);
      operands = [];
    }
  }
  const out: { role: string; text: string }[] = [];
  let lastEl = -1;
  const visit = (ref: PdfValue, inheritedPg: number | undefined, depth: number): void => {
    const d = dictOf(pdf, ref);
    if (!d || !isRef(ref) || depth > 200) return;
    const role = isName(d.get('S')) ? (d.get('S') as { name: string }).name : '?';
    const pgv = d.get('Pg');
    const pg = isRef(pgv) ? pgv.num : inheritedPg;
    const k = resolve(pdf, d.get('K'));
    for (const kid of Array.isArray(k) ? k : k === undefined || k === null ? [] : [k]) {
      let key: string | undefined;
      if (typeof kid === 'number') key = `${pg}:${kid}`;
      else {
        const kd = isRef(kid) ? dictOf(pdf, kid) : isDict(kid) ? kid.dict : undefined;
        if (kd && isName(kd.get('Type'), 'MCR')) key = `${isRef(kd.get('Pg')) ? (kd.get('Pg') as { num: number }).num : pg}:${String(kd.get('MCID'))}`;
        else if (kd && isName(kd.get('Type'), 'OBJR')) continue;
        else {
          visit(kid, pg, depth + 1);
          continue;
        }
      }
      const text = textOf.get(key) ?? '';
      const last = out[out.length - 1];
      if (last && lastEl === ref.num) last.text += text;
      else out.push({ role, text });
      lastEl = ref.num;
    }
  };
  const top = resolve(pdf, dictOf(pdf, root?.get('StructTreeRoot'))?.get('K'));
  for (const t of Array.isArray(top) ? top : top ? [top] : []) visit(t, undefined, 0);
  return out.map((e) => ({ role: e.role, text: e.text.replace(/\s+/g, ' ').trim() })).filter((e) => e.text !== '');
}
