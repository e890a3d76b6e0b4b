/**
 * Worker thread of the segregation stage: computes the rows of the unit sets it is sent (segregation-compute.ts)
 * and posts them back. Loaded by runUnitSets in segregation.ts; holds no state between jobs.
 */
import { parentPort } from 'node:worker_threads';
import { computeUnitSet, Rows, type SplitInfo, type UnitSet } from './segregation-compute.ts';

export interface Job {
  readonly id: number;
  readonly split: SplitInfo;
  readonly set: UnitSet;
  readonly draws: number;
  readonly confidence: number;
}

parentPort?.on('message', (job: Job) => {
  const rows = new Rows();
  try {
    computeUnitSet(job.split, job.set, rows, job.draws, job.confidence);
    parentPort?.postMessage({ id: job.id, rows });
  } catch (e) {
    parentPort?.postMessage({ id: job.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
