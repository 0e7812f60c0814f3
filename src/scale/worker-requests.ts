/**
 * What a pool worker (a Node thread or a Web Worker: src/workers/) is asked and answers. The function that answers it
 * on the worker's engine is src/workers/pool-worker.ts: the entries sit above the engine they start, so this protocol
 * module imports no engine.
 */
import type { WasmFlavour } from '../kernels/wasm/binary.js';
import type { MethodologyProfile } from '../profiles/profile.js';
import type { MonteCarloPath } from '../stress/report.js';
import type { BadDebtAt } from '../stress/reverse.js';
import type { ShardBook } from './shard-book.js';
import type { WholeBook } from './whole-book.js';
import type { ShardOutcome, ShardTask, StressPathsJob, StressProbeJob } from './tasks.js';
import type { WorkerHealth } from './transport.js';

/** What the pool gives each worker when it starts it. */
export interface PoolWorkerData {
  /** The compiled kernels (undefined: the JS backend). */
  module?: WebAssembly.Module | undefined;
  flavour?: WasmFlavour | undefined;
  /** The engine's methodology profiles (undefined: the built-in ones): the worker checks params as the engine does. */
  profiles?: readonly MethodologyProfile[] | undefined;
}

export type PoolRequest =
  | { op: 'load'; bookId: string; shard: ShardBook }
  | { op: 'run'; task: ShardTask }
  /**
   * A job on the whole book; `whole` when the worker answered `missing` before: the worker lays it out in this same
   * task, so no other method's job can let its positions go in between (ShardStore.pathRunner).
   */
  | { op: 'stress-paths'; job: StressPathsJob; whole?: WholeBook | undefined }
  | { op: 'stress-probes'; job: StressProbeJob; whole?: WholeBook | undefined }
  | { op: 'unload'; bookId: string }
  | { op: 'health' };

export type PoolResponse = ShardOutcome | WorkerHealth | MonteCarloPath[] | BadDebtAt[] | 'missing' | null;

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
