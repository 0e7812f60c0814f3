/** A thread of the two-thread portfolio benchmark (a) (bench/portfolio-split.ts), bundled as dist/bench-split-worker.js. */
import { workerData } from 'node:worker_threads';
import { splitWorker, type SplitWorkerData } from './portfolio-split.js';

await splitWorker(workerData as SplitWorkerData);
process.exit(0);
