/**
 * What a pool worker (a Node thread: thread-worker.ts; a Web Worker: web-worker.ts) is asked and answers, and the one
 * function that answers it on that worker's engine: both kinds of worker run the same code.
 */
import { Engine } from '../engine.js';
import { adoptCompiledKernels, type WasmFlavour } from '../kernels/wasm/binary.js';
import { WasmKernels } from '../kernels/wasm/instance.js';
import type { MonteCarloPath } from '../stress/report.js';
import type { ShardBook } from './shard-book.js';
import { type ShardOutcome, ShardStore, type ShardTask, type StressPathsJob } from './tasks.js';
import type { WorkerHealth } from './transport.js';
import { buildIdentity } from './identity.js';

/** What the pool gives each worker when it starts it. */
export interface PoolWorkerData {
  /** The compiled kernels (undefined: the JS backend). */
  module?: WebAssembly.Module;
  flavour?: WasmFlavour;
}

export type PoolRequest =
  | { op: 'load'; bookId: string; shard: ShardBook }
  | { op: 'run'; task: ShardTask }
  | { op: 'load-whole'; bookId: string; whole: ShardBook }
  | { op: 'stress-paths'; job: StressPathsJob }
  | { op: 'unload'; bookId: string }
  | { op: 'health' };

export type PoolResponse = ShardOutcome | WorkerHealth | MonteCarloPath[] | 'missing' | null;

/**
 * A request to a Node worker thread with a port to answer on (worker-transport.ts `ThreadPool`: why); the thread then
 * answers piscina with {@link REPLIED_ON_PORT}.
 */
export interface ThreadTask {
  request: PoolRequest;
  /** A MessagePort (typed loosely: this module is in browser bundles too). */
  reply: unknown;
}

/** What a thread answers piscina when it posted the answer on the task's reply port. */
export const REPLIED_ON_PORT = 'margin-core:replied-on-port';

/**
 * The buffers of a response's packed rows or table part (each part's columns, made or reused for this answer and not touched here
 * after it: a compact block's columns are views on one buffer): posted as a transfer list, they move to the
 * coordinator instead of being copied on both sides.
 */
export function transferablesOf(response: PoolResponse): ArrayBuffer[] {
  if (response === null || typeof response !== 'object' || !('kind' in response)) return [];
  // a table part in a SharedArrayBuffer is shared, not moved; in an ArrayBuffer (no SharedArrayBuffer here) it moves
  if (response.kind === 'table') return response.part?.data.buffer instanceof ArrayBuffer ? [response.part.data.buffer] : [];
  if (response.kind !== 'ok') return [];
  const buffers = new Set<ArrayBuffer>();
  for (const { rows } of response.reports) {
    if (rows.kind !== 'packed') continue;
    for (const column of [rows.figures, rows.cashUsd, rows.hasCash, rows.status, rows.reasonEnds]) {
      if (column && column.buffer instanceof ArrayBuffer) buffers.add(column.buffer);
    }
  }
  return [...buffers];
}

/**
 * The worker's engine on the posted module (one instance, its own memory), and its request handler. `die` is the test
 * hook's way to end this worker in the middle of a task (the pool must replace it and run the task again).
 */
export async function poolWorker(data: PoolWorkerData, id: string, die: () => never, warn: (message: string) => void): Promise<(request: PoolRequest) => PoolResponse> {
  let engine: Engine;
  if (data.module && data.flavour) {
    adoptCompiledKernels(data.flavour, data.module);
    engine = new Engine(await WasmKernels.create(data.flavour), { onWarning: warn });
  } else {
    engine = new Engine(undefined, { onWarning: warn });
  }
  const store = new ShardStore(engine, id);
  return (request) => {
    switch (request.op) {
      case 'load':
        store.load(request.bookId, request.shard);
        return null;
      case 'run':
        if (request.task.crash) die();
        return store.run(request.task);
      case 'load-whole':
        store.loadWhole(request.bookId, request.whole);
        return null;
      case 'stress-paths':
        if (request.job.crash) die();
        return store.stressPaths(request.job);
      case 'unload':
        store.unload(request.bookId);
        return null;
      case 'health':
        return { id, shardsHeld: store.size, backend: engine.backend, idleMs: 0, ...buildIdentity() };
    }
  };
}
