/**
 * Document level of an accessible report: turns a pdfmake document definition into one the tagging layer tags, with
 * the catalogue entries PDF/UA-1 asks for (/Lang, /MarkInfo Marked, DisplayDocTitle, title in Info and XMP,
 * `pdfuaid:part 1`) and, when archiving is asked for, PDF/A-2a (pdfkit's `subset: 'PDF/A-2a'`: `pdfaid` 2/A and an
 * sRGB output intent with the ICC's sRGB2014 profile that pdfkit ships under its MIT licence; the ICC allows
 * embedding it without restriction). pdfkit writes the `pdfuaid` block only for its 'PDF/UA' subset, so beside
 * PDF/A it is appended here with the pdfaExtension schema that declares it, as PDF/A requires for a custom schema.
 */
import { AccessibilityError, type TaggingIssue } from './errors.ts';
import { installTagging, TAGGING, type HeadingRole, type LayerOptions } from './layer.ts';

export interface AccessibilityOptions {
  /** The report's file name, for messages. */
  report: string;
  /** Fail on a figure without alt text, a table without header rows, no title or no language (default on). */
  strict: boolean;
  /** PDF/A-2a besides PDF/UA-1 (default on). */
  archive: boolean;
  /** Style name → heading level; default title/h1 → H1, h2 → H2, h3 → H3. */
  headingStyles?: Readonly<Record<string, HeadingRole>>;
  /** Non-strict mode: what was found (strict mode throws instead). */
  onIssues?: (issues: readonly TaggingIssue[]) => void;
}

/** The fields of a pdfmake document definition this file reads or sets. */
export interface TaggableDefinition {
  content: unknown[];
  language?: string;
  info?: { title?: string; modDate?: Date };
  tagged?: boolean;
  displayTitle?: boolean;
  version?: string;
  subset?: string;
}

export const DEFAULT_HEADINGS: Readonly<Record<string, HeadingRole>> = { title: 'H1', h1: 'H1', h2: 'H2', h3: 'H3' };

const PDFUA_ID = `
        <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
            <pdfuaid:part>1</pdfuaid:part>
        </rdf:Description>`;

/** PDF/A allows only predefined XMP schemas unless the file declares the others (ISO 19005-2, 6.6.2.3.3). */
const PDFUA_EXTENSION = `
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
            <pdfaExtension:schemas>
                <rdf:Bag>
                    <rdf:li rdf:parseType="Resource">
                        <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
                        <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
                        <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
                        <pdfaSchema:property>
                            <rdf:Seq>
                                <rdf:li rdf:parseType="Resource">
                                    <pdfaProperty:name>part</pdfaProperty:name>
                                    <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
                                    <pdfaProperty:category>internal</pdfaProperty:category>
                                    <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
                                </rdf:li>
                            </rdf:Seq>
                        </pdfaSchema:property>
                    </rdf:li>
                </rdf:Bag>
            </pdfaExtension:schemas>
        </rdf:Description>`;

/** pdfkit puts Info's ModDate in the Info dictionary only; PDF/A wants Info and XMP to agree. */
function modifyDate(d: Date): string {
  return `
        <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
            <xmp:ModifyDate>${d.toISOString().split('.')[0]}Z</xmp:ModifyDate>
        </rdf:Description>`;
}

/**
 * The definition, tagged: the same layout (pdfmake lays it out exactly as before), plus what the tagging layer and
 * pdfkit need. Installs the layer on first use, which throws unless the chart hook and line-text are installed first
 * (build-pdf.ts installs all three in its pdfmake setup, so there this only finds the layer in place).
 */
export function accessibleDefinition<T extends TaggableDefinition>(dd: T, options: AccessibilityOptions): T {
  installTagging();
  const found: TaggingIssue[] = [];
  const title = dd.info?.title?.trim();
  if (!title) found.push({ kind: 'no-title', node: 'the document (info.title)' });
  if (!dd.language?.trim()) found.push({ kind: 'no-language', node: 'the document (language)' });
  const xmp: string[] = [];
  if (options.archive) xmp.push(PDFUA_ID, PDFUA_EXTENSION);
  if (dd.info?.modDate) xmp.push(modifyDate(dd.info.modDate));
  // The metadata stream is not compressed (PDF/A): the blocks go in without their indentation.
  for (let i = 0; i < xmp.length; i++) xmp[i] = `\n${(xmp[i] as string).replace(/\n\s*/g, '')}`;
  const layer: LayerOptions = {
    headingStyles: options.headingStyles ?? DEFAULT_HEADINGS,
    xmp,
    onIssues: (issues) => {
      const all = [...found, ...issues];
      if (all.length === 0) return;
      if (options.strict) throw new AccessibilityError(options.report, all);
      options.onIssues?.(all);
    },
  };
  // pdfmake hands this very array to LayoutBuilder.layoutDocument, where the layer finds its options.
  const content = Object.assign([...dd.content], { [TAGGING]: layer });
  return {
    ...dd,
    content,
    tagged: true,
    displayTitle: true,
    version: '1.7',
    subset: options.archive ? 'PDF/A-2a' : 'PDF/UA',
  };
}
