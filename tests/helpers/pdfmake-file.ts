/**
 * The SHA-256 of one of pdfmake's own files (pdfmake/js/<file>), for the guard tests of the layers that patch pdfmake
 * (page-fit, text-measure, pdfmake-styles): each pins the files whose behaviour it was validated against.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function pdfmakeFileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(require.resolve(`pdfmake/js/${file}`))).digest('hex');
}
