/**
 * The workbook is byte-deterministic: the same model gives the same bytes whatever the clock says. Every ZIP entry
 * is dated the model's generated_at (xlsx-file.ts through zip-file.ts), never the clock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { loadReforms } from '../../pipelines/report/reforms.ts';
import { workbookBytes, workbookSheets, workbookXlsxSheets } from '../../pipelines/report/workbook.ts';
import { xlsxFile } from '../../pipelines/report/xlsx-file.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';

const DATA = new URL('../../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const model: ReportModel = { ...reportModelFixture({ reforms: loadReforms(DATA, cat.indicators) }), area_types: areaTypeBlockFixture() };

/** MS-DOS date and time of every entry, from the central directory, as ISO text (UTC). */
function entryTimes(zip: Buffer): string[] {
  let eocd = zip.length - 22;
  while (zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const out: string[] = [];
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const t = zip.readUInt16LE(p + 12);
    const d = zip.readUInt16LE(p + 14);
    out.push(new Date(Date.UTC((d >> 9) + 1980, ((d >> 5) & 15) - 1, d & 31, t >> 11, (t >> 5) & 63, (t & 31) * 2)).toISOString());
    const local = zip.readUInt32LE(p + 42);
    expect([zip.readUInt16LE(local + 10), zip.readUInt16LE(local + 12)]).toEqual([t, d]);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

describe('the workbook bytes', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are the same for the same model at two different clock times, each entry dated generated_at', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2021-06-01T10:00:00Z'));
    const first = await workbookBytes(model, cat.indicators);
    vi.setSystemTime(new Date('2024-11-20T17:45:12Z'));
    const second = await workbookBytes(model, cat.indicators);
    expect(first.buffer.length).toBeGreaterThan(10_000);
    expect(first.buffer.equals(second.buffer)).toBe(true);
    const times = entryTimes(first.buffer);
    expect(times.length).toBeGreaterThan(5);
    expect(new Set(times)).toEqual(new Set([new Date(model.generated_at).toISOString()]));
  });

  it('a different date gives different entry dates and nothing else', () => {
    const sheets = workbookXlsxSheets(workbookSheets(model, cat.indicators));
    const a = xlsxFile(sheets, new Date(model.generated_at));
    const b = xlsxFile(sheets, new Date('2030-01-02T03:04:06Z'));
    expect(new Set(entryTimes(b))).toEqual(new Set(['2030-01-02T03:04:06.000Z']));
    expect(b.length).toBe(a.length);
    const differing = [...a.keys()].filter((i) => a[i] !== b[i]);
    // Four bytes per header (time and date), a local and a central header per entry.
    expect(differing.length).toBeLessThanOrEqual(entryTimes(a).length * 8);
    expect(differing.length).toBeGreaterThan(0);
  });
});
