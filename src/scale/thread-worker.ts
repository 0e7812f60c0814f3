/**
 * The entry of a worker thread of the Node pool (worker-transport.ts, piscina), bundled on its own as
 * dist/node/scale-worker.js. Piscina awaits the default export, so the engine is ready before any task.
 */
import { threadId, workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { poolWorker, type PoolRequest, type PoolWorkerData, transferablesOf } from './worker-requests.js';

const handle = await poolWorker(
  (workerData ?? {}) as PoolWorkerData,
  `thread-${threadId}`,
  () => process.exit(1), // the thread ends; piscina starts another
  (message) => process.stderr.write(`margin-core worker ${threadId}: ${message}\n`),
);

/** Piscina's movable answer: the value, and the buffers to transfer with it (piscina's documented symbols). */
function movable(value: unknown, transfer: ArrayBuffer[]): unknown {
  return move({ [Symbol.for('Piscina.transferable')]: transfer, [Symbol.for('Piscina.valueOf')]: value } as unknown as ArrayBuffer);
}

export default (request: PoolRequest): unknown => {
  const response = handle(request);
  const transfer = transferablesOf(response);
  return transfer.length === 0 ? response : movable(response, transfer);
};
