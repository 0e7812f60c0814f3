/**
 * The entry of a worker thread of the Node pool (worker-transport.ts, piscina), bundled on its own as
 * dist/node/scale-worker.js. Piscina awaits the default export, so the engine is ready before any task.
 */
import { threadId, workerData } from 'node:worker_threads';
import { poolWorker, type PoolWorkerData } from './worker-requests.js';

export default poolWorker(
  (workerData ?? {}) as PoolWorkerData,
  `thread-${threadId}`,
  () => process.exit(1), // the thread ends; piscina starts another
  (message) => process.stderr.write(`margin-core worker ${threadId}: ${message}\n`),
);
