/**
 * Guards for the tagging layer's hook points. pdfmake has no public extension point for tagging, so the layer
 * (pipelines/report/tagging/layer.ts) wraps internal methods and relies on a few internal behaviours. These tests
 * fail on any pdfmake or pdfkit version change, and on any change to what the layer assumes, until someone has
 * re-validated the layer (this suite, tests/report/tagging/*, and a look at the rendered reports) and updated
 * VALIDATED.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOOKS, pdfmakeClasses } from '../../../pipelines/report/tagging/layer.ts';

const require = createRequire(import.meta.url);

/** The versions the layer was validated with. Change only after re-validating (see above). */
const VALIDATED = { pdfmake: '0.3.11', pdfkit: '0.19.1' } as const;

const source = (cls: { prototype: object }, method: string): string => String((cls.prototype as Record<string, unknown>)[method]);
const load = (p: string): { prototype: object } => (require(p) as { default: { prototype: object } }).default;

describe('versions', () => {
  it('pins pdfmake and pdfkit exactly in package.json (pdfkit through overrides)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string>; overrides: Record<string, string> };
    expect(pkg.dependencies.pdfmake).toBe(VALIDATED.pdfmake);
    expect(pkg.overrides.pdfkit).toBe(VALIDATED.pdfkit);
  });

  it('runs on the validated versions', () => {
    expect((require('pdfmake/package.json') as { version: string }).version).toBe(VALIDATED.pdfmake);
    expect((require('pdfkit/package.json') as { version: string }).version).toBe(VALIDATED.pdfkit);
  });
});

describe('pdfmake hook points', () => {
  const classes = pdfmakeClasses();
  it.each(Object.entries(HOOKS).flatMap(([cls, methods]) => methods.map((m) => [cls, m] as const)))('%s.%s exists', (cls, method) => {
    expect(typeof (classes[cls as keyof typeof classes].prototype as Record<string, unknown>)[method]).toBe('function');
  });

  it('processNode is the one recursive entry: rows, lists, stacks and the TOC call it for their children', () => {
    const L = classes.LayoutBuilder;
    expect(source(L, 'processRow')).toContain('this.processNode(cell, true)');
    expect(source(L, 'processVerticalContainer')).toContain('this.processNode(item)');
    expect(source(L, 'processList')).toContain('this.processNode(item)');
    expect(source(L, 'processTable')).toContain('this.processRow({');
    expect(source(L, 'processColumns')).toContain('this.processRow({');
    expect(source(L, 'processToc')).toContain('this.processNode(node.toc._table)');
    expect(source(L, 'processToc')).toContain('this.processNode(node.toc.title)');
  });

  it('an ordered list marker is a line made from marker._inlines[0], added when the item\'s first line is', () => {
    const list = source(classes.LayoutBuilder, 'processList');
    expect(list).toContain("this.writer.addListener('lineAdded', addMarkerToFirstLeaf)");
    expect(list).toContain('markerLine.addInline(marker._inlines[0])');
    expect(list).toContain('this.writer.addVector(vector)');
  });

  it('headers, footers and backgrounds are laid out through addDynamicRepeatable and addBackground', () => {
    const L = classes.LayoutBuilder;
    expect(source(L, 'addHeadersAndFooters')).toContain("this.addDynamicRepeatable(header, headerSizeFct, 'header')");
    expect(source(L, 'addHeadersAndFooters')).toContain("this.addDynamicRepeatable(footer, footerSizeFct, 'footer')");
    expect(source(L, 'tryLayoutDocument')).toContain('this.addBackground(backgroundGetter)');
    expect(source(L, 'layoutDocument')).toContain('this.tryLayoutDocument(');
    expect(source(L, 'addWatermark')).toContain('pages[i].watermark');
  });

  it('repeated table headers are repeatables with insertedOnPages, added again through addFragment', () => {
    const P = load('pdfmake/js/PageElementWriter.js');
    expect(source(P, 'currentBlockToRepeatable')).toContain('rep.insertedOnPages = []');
    expect(source(P, 'moveToNextPage')).toContain('this.addFragment(rep, true)');
    expect(source(classes.ElementWriter, 'addFragment')).toContain('block.items.forEach(item => {');
    expect(source(classes.ElementWriter, 'addFragment')).toContain('item.item.clone()');
    expect(source(classes.ElementWriter, 'addFragment')).toContain('(0, _tools.pack)(item.item)');
  });

  it('copies of page items keep their own properties (the tag survives Line.clone and pack)', () => {
    const Line = load('pdfmake/js/Line.js') as unknown as new (w: number) => { clone(): Record<string, unknown> } & Record<string, unknown>;
    const line = new Line(100);
    line._tag = { role: 'P' };
    expect(line.clone()._tag).toBe(line._tag);
    const { pack } = require('pdfmake/js/helpers/tools.js') as { pack: (o: object) => Record<string, unknown> };
    const tag = { artifact: 'Layout' };
    expect(pack({ _tag: tag, x: 1 })._tag).toBe(tag);
  });

  it('the renderer draws page items through the wrapped methods, one text() call per inline', () => {
    const R = classes.Renderer;
    const pages = source(R, 'renderPages');
    for (const call of ['this.renderVector(item.item)', 'this.renderLine(item.item, item.item.x, item.item.y)', 'this.renderImage(item.item)', 'this.renderSVG(item.item)', 'this.beginClip(item.item)', 'this.endClip()', 'this.renderWatermark(page)', 'this.pdfDocument.addPage(']) {
      expect(pages).toContain(call);
    }
    const line = source(R, 'renderLine');
    expect(line).toContain('this.pdfDocument.text(inline.text, x + inline.x, shiftedY, options)');
    expect(line).toContain('this.pdfDocument.annotate(');
  });

  it('the printer hands language, tagging, title display and subset to pdfkit, and the content array to layout', () => {
    const printer = source(load('pdfmake/js/Printer.js'), 'createPdfKitDocument');
    for (const s of ['subset: docDefinition.subset', 'tagged: docDefinition.tagged', 'displayTitle: docDefinition.displayTitle', 'lang: docDefinition.language', 'builder.layoutDocument(docDefinition.content, this.pdfKitDoc']) {
      expect(printer).toContain(s);
    }
  });
});

describe('pdfkit tagging API', () => {
  const Doc = require('pdfkit') as { prototype: Record<string, unknown> };
  it('has the public structure and marked-content methods', () => {
    for (const m of ['struct', 'addStructure', 'markContent', 'markStructureContent', 'endMarkedContent', 'appendXML', 'annotate']) expect(typeof Doc.prototype[m]).toBe('function');
  });

  it('has the internals the layer writes the structure tree with (one object number per element, one write for all)', () => {
    const P = Doc.prototype;
    // An object number without writing the object; its offset recorded and the document's count of open objects
    // lowered once the layer has written it.
    expect(String(P.ref)).toContain('new PDFReference(this, this._offsets.length + 1, data)');
    expect(String(P.ref)).toContain('this._offsets.push(null);\n    this._waiting++;');
    expect(String(P._refEnd)).toContain('this._offsets[ref.id - 1] = ref.offset');
    expect(String(P._refEnd)).toContain('--this._waiting === 0');
    expect(String(P._write)).toContain('this._offset += data.length');
    expect(String(P._write)).toContain("Buffer.from(data + '\\n', 'binary')");
    // The ParentTree: one array per page (its StructParents key) to which an MCID's element is appended; annotations
    // get a key of their own.
    expect(String(P.markStructureContent)).toContain('this.getStructParentTree().get(this.page.structParentTreeKey)');
    expect(String(P.markStructureContent)).toContain('const mcid = pageStructParents.length');
    expect(String(P.createStructParentTreeNextKey)).toContain('structTreeRoot.data.ParentTree.add(key, [])');
    expect(String(P.getStructTreeRoot)).toContain("Type: 'StructTreeRoot'");
    // A page's open sequences are in page.markings, ended (EMC) by pdfkit when the page is flushed: the layer opens
    // and ends its own sequences in one content write and keeps page.markings in step.
    expect(String(P.endPageMarkings)).toContain("pageMarkings.forEach(() => page.write('EMC'))");
    expect(String(P.endMarkedContent)).toContain('this.page.markings.pop()');
    expect(String(P.addContent)).toContain('this.page.write(data)');
    // The packed output (layer.ts packOutput): every object written through _write, starting where its reference's
    // offset says, reported once through _refEnd; _finalize writes only the cross-reference table and trailer (the
    // layer's replacement writes object streams and a cross-reference stream instead) from _root, _info and _id.
    const pdfkitSource = readFileSync(require.resolve('pdfkit/js/pdfkit.js'), 'utf8');
    expect(pdfkitSource).toContain("this.offset = this.document._offset;\n    const encryptFn");
    expect(pdfkitSource).toContain("this.document._write(`${this.id} ${this.gen} obj`);");
    expect(pdfkitSource).toContain("this.document._write('endobj');\n    this.document._refEnd(this);");
    // A tagged document's page content streams (layer.ts finalizePageContent): pdfkit deflates a stream in finalize
    // only while `compress` is set, and its writes have set /Filter /FlateDecode; the layer deflates the Buffers
    // itself and clears `compress`, after an empty Buffer has flushed pdfkit-content.ts's pending text.
    expect(pdfkitSource).toContain("if (this.compress) {\n      this.data.Filter = 'FlateDecode';\n    }");
    expect(pdfkitSource).toContain('this.buffer = Buffer.concat(this.buffer);\n      if (this.compress) {\n        this.buffer = zlib.deflateSync(this.buffer);');
    expect(pdfkitSource).toContain('this.content = this.document.ref();');
    expect(pdfkitSource).toContain('this.resources.end();\n    return this.content.end();');
    expect(pdfkitSource).toContain('if (chunk) {\n      this.write(chunk);\n    }\n    this.finalize();');
    expect(String(P.addPage)).toContain('this.page = new PDFPage(this, options)');
    // The layer's own element references (layer.ts ElementRef): written by their toString wherever pdfkit serialises
    // a PDFAbstractReference (the ParentTree's arrays, the tree root's /K).
    expect(pdfkitSource).toContain('} else if (object instanceof PDFAbstractReference || object instanceof PDFTree || object instanceof SpotColor) {\n      return object.toString();');
    const finalize = String(P._finalize);
    for (const s of ["this._write('xref')", 'Root: this._root', 'Info: this._info', 'ID: [this._id, this._id]', 'this.push(null)']) expect(finalize).toContain(s);
    expect(String(P.end)).toContain('this._finalize()');
    // Links of a text fragment: one link()/goTo() call per fragment with its rectangle, which the layer gathers per
    // link run into one annotation.
    expect(String(P._fragment)).toContain('this.link(x, y, renderedWidth, this.currentLineHeight(), options.link, linkOptions)');
    expect(String(P._fragment)).toContain('this.goTo(x, y, renderedWidth, this.currentLineHeight(), options.goTo)');
    expect(String(P.link)).toContain('return this.annotate(x, y, w, h, options)');
    expect(String(P.goTo)).toContain('return this.annotate(x, y, w, h, options)');
  });

  it('links an annotation to its structure element (structParent), closes open sequences at a page end, and knows the subsets', () => {
    expect(String(Doc.prototype.annotate)).toContain('structParent.add(annotRef)');
    expect(String(Doc.prototype.addPage)).toContain('this.flushPages()');
    expect(String(Doc.prototype.flushPages)).toContain('this.endPageMarkings(page)');
    expect(String(Doc.prototype.initSubset)).toContain("case 'PDF/A-2a':");
    expect(String(Doc.prototype.initSubset)).toContain("case 'PDF/UA':");
    // PDF/A: the output intent embeds the ICC's sRGB2014 profile shipped with pdfkit (mixed in per document).
    const main = require.resolve('pdfkit');
    expect(readFileSync(main, 'utf8')).toContain('/data/sRGB_IEC61966_2_1.icc`');
    const icc = readFileSync(new URL('data/sRGB_IEC61966_2_1.icc', `file://${main}`)).toString('latin1');
    expect(icc).toContain('sRGB2014');
    expect(icc).toContain('Copyright International Color Consortium');
  });
});
