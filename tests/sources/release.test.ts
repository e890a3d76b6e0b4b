/**
 * Kolada's publication fields read as a release (pipelines/sources/release.ts), on KPI objects shaped as the real
 * v3 ones (data/metadata/kolada, kpi_first1800_reconstructed.json): a date still to come is a planned release.
 */
import { describe, expect, it } from 'vitest';
import { koladaRelease } from '../../pipelines/sources/release.ts';
import { SourceError } from '../../pipelines/errors.ts';

const URL = 'http://127.0.0.1:1/v3/kpi/N00009';

describe('koladaRelease', () => {
  it('a publication_date that has passed: publ_period is out', () => {
    expect(koladaRelease('N07540', { publ_period: '2025', publication_date: '2026-03-31', prel_publication_date: null }, '2026-12-04', URL)).toEqual({
      source: 'Kolada', id: 'N07540', released: '2025 published 2026-03-31', latestPeriod: 2025, discontinued: null,
    });
  });

  it('a publication still to come (N00009: 2026 due 2027-02-24): the latest period out is the one before', () => {
    expect(koladaRelease('N00009', { publ_period: '2026', publication_date: '2027-02-24', prel_publication_date: null }, '2026-12-04', URL)).toMatchObject({ released: '2025; 2026 due 2027-02-24', latestPeriod: 2025 });
  });

  it('a preliminary publication that has passed counts, the final one still to come', () => {
    expect(koladaRelease('N00003', { publ_period: '2025', publication_date: '2026-08-28', prel_publication_date: '2026-04-01' }, '2026-05-01', URL)).toMatchObject({ released: '2025 preliminary 2026-04-01', latestPeriod: 2025 });
  });

  it('the release text changes on the day the date passes, and only then', () => {
    const k = { publ_period: '2026', publication_date: '2026-09-25', prel_publication_date: null };
    const released = (today: string): unknown => (koladaRelease('N15428', k, today, URL) as { released?: string }).released;
    expect(released('2026-09-24')).toBe('2025; 2026 due 2026-09-25');
    expect(released('2026-09-25')).toBe('2026 published 2026-09-25');
    expect(released('2026-12-31')).toBe('2026 published 2026-09-25');
  });

  it('no publ_period (N02280 in Kolada\'s list): not stated, so the KPI is fetched; a malformed one is an error naming the KPI', () => {
    expect(koladaRelease('N02280', { publ_period: null, publication_date: null }, '2026-12-04', URL)).toEqual({ source: 'Kolada', id: 'N02280', refused: `Kolada: ${URL}: KPI N02280 states no publ_period` });
    expect(() => koladaRelease('N1', { publ_period: '25', publication_date: '2026-01-01' }, '2026-12-04', URL)).toThrow(SourceError);
    expect(() => koladaRelease('N1', { publ_period: '2025', publication_date: '31/3/2026' }, '2026-12-04', URL)).toThrow(/KPI N1: publication_date "31\/3\/2026" is not a date/);
  });
});
