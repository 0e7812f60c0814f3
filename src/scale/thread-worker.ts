/**
 * The entry of a worker thread of the pool (thread-transport.ts), bundled on its own as dist/node/scale-worker.js.
 * It instantiates the WASM module the coordinator compiled and posted (one instance, its own memory), holds the
 * shards it is sent, and answers tasks. Piscina awaits the default export, so the engine is ready before any task.
 */
import { threadId, workerData } from 'node:worker_threads';
import { Engine } from '../engine.js';
import { adoptCompiledKernels } from '../kernels/wasm/binary.js';
import { WasmKernels } from '../kernels/wasm/instance.js';
import { ShardStore } from './tasks.js';
import type { ThreadRequest, ThreadResponse, ThreadWorkerData } from './thread-transport.js';

async function start(): Promise<(request: ThreadRequest) => ThreadResponse> {
  const data = (workerData ?? {}) as ThreadWorkerData;
  let engine: Engine;
  if (data.module && data.flavour) {
    adoptCompiledKernels(data.flavour, data.module);
    engine = new Engine(await WasmKernels.create(data.flavour), { onWarning: (m) => process.stderr.write(`margin-core worker ${threadId}: ${m}\n`) });
  } else {
    engine = new Engine(undefined);
  }
  const store = new ShardStore(engine);
  return (request) => {
    switch (request.op) {
      case 'load':
        store.load(request.bookId, request.shard);
        return null;
      case 'run':
        if (request.task.crash) process.exit(1); // test hook: this thread dies mid-run, the pool must replace it
        return store.run(request.task);
      case 'load-whole':
        store.loadWhole(request.bookId, request.whole);
        return null;
      case 'stress-paths':
        if (request.job.crash) process.exit(1); // test hook, as for 'run'
        return store.stressPaths(request.job);
      case 'unload':
        store.unload(request.bookId);
        return null;
      case 'health':
        return { id: `thread-${threadId}`, shardsHeld: store.size, backend: engine.backend, idleMs: 0 };
    }
  };
}

export default start();
