/**
 * The entry of a worker thread of the Node pool (worker-transport.ts, piscina), bundled on its own as
 * dist/node/scale-worker.js. Piscina awaits the default export, so the engine is ready before any task.
 */
import { type MessagePort, threadId, workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { poolWorker } from './pool-worker.js';
import { type PoolRequest, type PoolWorkerData, REPLIED_ON_PORT, type ThreadTask, transferablesOf } from '../scale/worker-requests.js';

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

export default (task: PoolRequest | ThreadTask): unknown => {
  const reply = 'reply' in task ? (task.reply as MessagePort) : undefined;
  const response = handle('reply' in task ? task.request : task);
  const transfer = transferablesOf(response);
  if (reply !== undefined) {
    // on the task's own port, before piscina hears the answer: the coordinator reads it from the port's queue then
    reply.postMessage(response, transfer);
    return REPLIED_ON_PORT;
  }
  return transfer.length === 0 ? response : movable(response, transfer);
};
