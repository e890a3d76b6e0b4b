/**
 * The report fixture with what the report stage takes from data/indicators.json for each indicator (materiality,
 * definition breaks, price basis, the title of the latest year's definition), so text tests judge changes by the
 * catalogue's real thresholds rather than by none.
 */
import { fileURLToPath } from 'node:url';
import { indicatorReportFields, loadIndicators, titleInYear } from '../../pipelines/catalogue.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';

const DATA_DIR = fileURLToPath(new URL('../../data', import.meta.url));

export function withCatalogue(model: ReportModel): ReportModel {
  const cat = loadIndicators(DATA_DIR);
  const area = (cat.area_version_breaks ?? []).find((b) => b.levels.includes('deso')) ?? null;
  return {
    ...model,
    chapters: model.chapters.map((ch) => ({
      ...ch,
      indicators: ch.indicators.map((b) => {
        const ind = cat.indicators.find((d) => d.id === b.id);
        if (!ind) return b;
        const latest = [...b.series].reverse().find((p) => p.value !== null)?.year ?? null;
        return { ...b, title_sv: titleInYear(ind, latest), ...indicatorReportFields(ind, latest) };
      }),
    })),
    segregation: model.segregation.map((s) => ({ ...s, area_break: area })),
  };
}
