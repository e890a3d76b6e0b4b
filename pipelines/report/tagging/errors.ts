import { StageError } from '../../errors.ts';

/** What the tagging layer found wrong with a report's accessibility (strict mode turns these into an error). */
export interface TaggingIssue {
  /** Stable kind, for tests and logs. */
  readonly kind: 'figure-without-alt' | 'table-without-header' | 'no-title' | 'no-language' | 'untagged-item';
  /** The node, in words a person can find it by (its role and the start of its text or caption). */
  readonly node: string;
}

const WHAT: Record<TaggingIssue['kind'], string> = {
  'figure-without-alt': 'a figure without a text alternative (alt)',
  'table-without-header': 'a table without header rows (headerRows)',
  'no-title': 'no document title (info.title)',
  'no-language': 'no document language',
  'untagged-item': 'page content the tagging layer could not place in the structure tree (pdfmake internals changed?)',
};

/**
 * A report that would not be an accessible PDF: strict mode (the default) refuses to write it. A stage failure
 * (exit 1), naming the report and each offending node.
 */
export class AccessibilityError extends StageError {
  constructor(
    readonly report: string,
    readonly issues: readonly TaggingIssue[],
  ) {
    super(`${report}: not an accessible PDF: ${issues.map((i) => `${WHAT[i.kind]} at ${i.node}`).join('; ')}`);
  }
}
