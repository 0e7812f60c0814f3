/**
 * The one function that answers a pool worker's requests on that worker's engine (src/scale/worker-requests.ts: the
 * protocol): a Node thread (thread-worker.ts) and a Web Worker (web-worker.ts) run the same code.
 */
import { Engine } from '../engine.js';
import { adoptCompiledKernels } from '../kernels/wasm/binary.js';
import { WasmKernels } from '../kernels/wasm/instance.js';
import { buildIdentity } from '../scale/identity.js';
import { ShardStore } from '../scale/tasks.js';
import type { PoolRequest, PoolResponse, PoolWorkerData } from '../scale/worker-requests.js';

/**
 * The worker's engine on the posted module (one instance, its own memory), and its request handler. `die` is the test
 * hook's way to end this worker in the middle of a task (the pool must replace it and run the task again).
 */
export async function poolWorker(data: PoolWorkerData, id: string, die: () => never, warn: (message: string) => void): Promise<(request: PoolRequest) => PoolResponse> {
  let engine: Engine;
  if (data.module && data.flavour) {
    adoptCompiledKernels(data.flavour, data.module);
    engine = new Engine(await WasmKernels.create(data.flavour), { onWarning: warn, profiles: data.profiles });
  } else {
    engine = new Engine(undefined, { onWarning: warn, profiles: data.profiles });
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
      case 'stress-paths':
        if (request.job.crash) die();
        if (request.whole) store.loadWhole(request.job.bookId, request.whole);
        return store.stressPaths(request.job);
      case 'stress-probes':
        if (request.job.crash) die();
        if (request.whole) store.loadWhole(request.job.bookId, request.whole);
        return store.stressProbes(request.job);
      case 'unload':
        store.unload(request.bookId);
        return null;
      case 'health':
        return { id, shardsHeld: store.size, backend: engine.backend, idleMs: 0, ...buildIdentity() };
    }
  };
}
