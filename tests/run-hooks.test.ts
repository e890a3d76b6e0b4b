/**
 * runStages' sourcesDone hook: the CLI closes the demo's emulator (and lets its world go) as soon as the last stage
 * that fetches has ended, so build and report run without it (issue 10 goal 5, memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, withConnection } from '../pipelines/db.ts';
import { runStages } from '../pipelines/run.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';

let tiny: TinyPipeline;
beforeAll(async () => {
  tiny = await startTinyPipeline('run-hooks', undefined, { limits: { maxCallsPerTimeWindow: 100_000 } });
}, 60_000);
afterAll(async () => {
  await tiny.emulator.close();
});

const started = (stage: string): boolean => tiny.logs.some((l) => (JSON.parse(l) as { msg: string }).msg === `stage ${stage} started`);

describe('runStages sourcesDone', () => {
  it('is called once, after ingest and before build; the build then runs with the sources closed', async () => {
    const seen: { ingest: boolean; build: boolean }[] = [];
    const summary = await runStages(tiny.ctx(), 'run', ['areas', 'ingest', 'build'], [], {
      sourcesDone: async () => {
        seen.push({ ingest: started('ingest'), build: started('build') });
        await tiny.emulator.close();
      },
    });
    expect(seen).toEqual([{ ingest: true, build: false }]);
    expect(summary.stages.map((s) => [s.stage, s.outcome])).toEqual([
      ['areas', 'ok'],
      ['ingest', 'ok'],
      ['build', 'ok'],
    ]);
    const [row] = await withConnection(tiny.config.warehouse, (conn) => query(conn, 'SELECT count(*)::INTEGER AS n FROM indicator_value'));
    expect(Number(row?.n)).toBeGreaterThan(0);
  }, 120_000);

  it('is not called by a run without areas or ingest', async () => {
    let calls = 0;
    await runStages(tiny.ctx(), 'build', ['build'], [], {
      sourcesDone: () => {
        calls++;
        return Promise.resolve();
      },
    });
    expect(calls).toBe(0);
  }, 120_000);
});
