/**
 * Report rendering on worker threads, one per core: the main thread reads the next report's model from DuckDB while
 * the workers lay out and write PDFs and workbooks (pdfmake and Vega are single-threaded and CPU-bound, so one
 * process would use one core of the box).
 *
 * Jobs are handed out as workers free up; at most two wait per worker, so models are not all held in memory at
 * once. The first failure rejects and stops the pool (the stage fails and the run publishes nothing).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EnvironmentError, LockError, MemoryLimitError, SegfollowError, SourceError, StageError, UsageError } from '../errors.ts';
import { renderJob, type RenderJob, type RenderOutcome, type RenderReply } from './report-worker.ts';

export type RenderResult = RenderOutcome;

export interface RenderPool {
  /** Resolves when the report's files are written. */
  render(job: Omit<RenderJob, 'id'>): Promise<RenderResult>;
  /** Waits until fewer than two jobs per worker are queued (call before building the next model). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const TYPED: Record<string, new (message: string) => SegfollowError> = { UsageError, EnvironmentError, SourceError, StageError, LockError };

/**
 * The error a thread's failed job stands for, as renderJob would have thrown it in this thread: the same typed error
 * (so the same exit code), or an operating-system error with its code and path (which the run maps to an
 * EnvironmentError naming the path), or else a StageError with the message.
 */
export function errorOf(reply: Extract<RenderReply, { ok: false }>): Error {
  const Typed = TYPED[reply.name];
  if (Typed) return new Typed(reply.message);
  if (reply.errno) return Object.assign(new Error(reply.message), reply.errno);
  return new StageError(reply.message);
}

/** Threads for `reports` reports: none for one report (starting a thread costs more than it saves), else one per core. */
export function poolSize(reports: number): number {
  const env = process.env.SEGFOLLOW_REPORT_THREADS;
  const cores = env !== undefined && /^\d+$/.test(env) ? Number(env) : availableParallelism();
  return reports <= 1 ? 0 : Math.max(0, Math.min(cores, reports));
}

/**
 * The render threads' old-generation cap when SEGFOLLOW_REPORT_HEAP_MB is unset. Far above what a thread keeps (after a
 * full collection 90–150 MB), it is not there to be reached: V8 lets a heap grow between its full collections by a
 * factor it bounds by the heap's cap (V8's MemoryController::MaxGrowingFactor): 4 for a cap of 2 GB or more (Node's
 * own, from the machine's memory), from 1.3 to 2 below it, about 1.6 at 1 GB. Each report leaves some 45 MB of garbage
 * in the old generation, so uncapped a thread's heap grew to 500–580 MB over the demo's 312 reports (2 threads: whole
 * demo 1.44–1.87 GB); at 1 GB it stays near 200 MB, for about 1.6 times the full collections. 5 Dec, two whole demos
 * side by side (compiled, machine shared): peak 0.89 against 1.50 GB, kommun render CPU +6.5 %, user CPU +20 % (V8's
 * marking threads included; README "Memory and threads").
 */
export const DEFAULT_THREAD_HEAP_MB = 1024;

/**
 * The old-generation heap cap of each render thread in MB (SEGFOLLOW_REPORT_HEAP_MB; unset: DEFAULT_THREAD_HEAP_MB),
 * or undefined for none (0: V8's own limit, a heap that grows to 500–580 MB a thread). A cap near what a thread keeps
 * costs much CPU: at 400–520 MB, before the threads kept less (220–280 MB live), the demo's report stage took 228–237 s
 * against 167 s, V8 collecting far more often.
 */
export function threadHeapMb(): number | undefined {
  const env = process.env.SEGFOLLOW_REPORT_HEAP_MB?.trim();
  if (env === undefined || env === '') return DEFAULT_THREAD_HEAP_MB;
  if (env === '0') return undefined;
  if (!/^\d+$/.test(env)) throw new UsageError(`SEGFOLLOW_REPORT_HEAP_MB must be a whole number of megabytes (0 for no cap), got "${env}"`);
  return Math.max(16, Number(env));
}

/** A pool of `size` threads, or an in-process renderer when size is 0. */
export function startRenderPool(size: number): RenderPool {
  if (size === 0) {
    // One job at a time, so that the next model is not read in the gaps of this one's rendering (the per-step times
    // and CPU figures would then mix the two). A failure surfaces through render's promise.
    let last: Promise<unknown> = Promise.resolve();
    return {
      render: (job) => {
        const p = renderJob({ ...job, id: 0 });
        last = p.catch(() => undefined);
        return p;
      },
      ready: () => last.then(() => undefined),
      close: async () => undefined,
    };
  }
  // Compiled (dist/*.js) the worker is plain JavaScript. From the TypeScript sources (tests, tsx) the thread first
  // registers tsx and then imports the worker: Node 20 does not run a worker's entry file through loader hooks
  // given as `--import` in its execArgv.
  const compiled = import.meta.url.endsWith('.js');
  const entry = new URL(compiled ? './report-worker.js' : './report-worker.ts', import.meta.url);
  const boot = compiled
    ? entry
    : `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  const waiting = new Map<number, { resolve(r: RenderResult): void; reject(e: Error): void }>();
  const queue: RenderJob[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, number>();
  let nextId = 0;
  let failed: Error | null = null;
  let wake: (() => void) | null = null;
  let closing = false;

  const fail = (e: Error): void => {
    failed ??= e;
    for (const w of waiting.values()) w.reject(failed);
    waiting.clear();
    queue.length = 0;
    wake?.();
  };
  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop() as Worker;
      const job = queue.shift() as RenderJob;
      busy.set(w, job.id);
      w.postMessage(job);
    }
    if (queue.length < 2 * size) wake?.();
  };

  const heapMb = threadHeapMb();
  const resourceLimits = heapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  const workers = Array.from({ length: size }, () => {
    const w = typeof boot === 'string' ? new Worker(boot, { eval: true, ...resourceLimits }) : new Worker(boot, resourceLimits);
    w.on('message', (reply: RenderReply) => {
      busy.delete(w);
      idle.push(w);
      const p = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.ok) p?.resolve({ pages: reply.pages, pdfBytes: reply.pdfBytes, xlsxBytes: reply.xlsxBytes, htmlBytes: reply.htmlBytes, phases: reply.phases });
      else {
        // This job's own promise first: it has left `waiting`, so fail() below would not reach it, and a stage whose
        // last job failed would wait for ever.
        const err = errorOf(reply);
        p?.reject(err);
        fail(err);
      }
      dispatch();
    });
    w.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        fail(new MemoryLimitError(`a report thread ran out of its ${heapMb ?? 'default'} MB heap (SEGFOLLOW_REPORT_HEAP_MB): raise it, e.g. SEGFOLLOW_REPORT_HEAP_MB=800, or use fewer threads (SEGFOLLOW_REPORT_THREADS=1); nothing was published`, { cause: e }));
        return;
      }
      fail(e instanceof StageError ? e : new StageError(`report thread failed: ${e.message}`, { cause: e }));
    });
    w.on('exit', (code) => {
      if (code !== 0 && !closing) fail(new StageError(`report thread exited with status ${code}`));
    });
    idle.push(w);
    return w;
  });

  return {
    render(job) {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise<RenderResult>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // Structured clone copies the model into the thread; nothing is shared.
        queue.push({ ...job, id });
        dispatch();
      });
    },
    async ready() {
      while (!failed && queue.length >= 2 * size) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (failed) throw failed;
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
