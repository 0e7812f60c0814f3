/**
 * The entry of a Web Worker of the browser pool (worker-transport.ts `startWebWorkers`), bundled on its own as
 * dist/browser/scale-worker.js (a module worker). The first message carries the compiled module; every later one is a
 * request `{ id, request }`, answered `{ id, response }` or `{ id, error }`. The pool counts the worker started at its
 * `{ ready: true }`; `{ failed }` instead says why it could not start (the pool does not start it again).
 */
import { poolWorker } from './pool-worker.js';
import { type PoolRequest, type PoolResponse, type PoolWorkerData, transferablesOf } from '../scale/worker-requests.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;
let handle: Promise<(request: PoolRequest) => PoolResponse> | undefined;

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as { init: PoolWorkerData; name: string } | { id: number; request: PoolRequest };
  if ('init' in message) {
    // an uncaught error ends the task for the pool: it replaces this worker and runs the task again
    const die = (): never => {
      setTimeout(() => {
        throw new Error('margin-core: worker stopped by the test hook');
      });
      throw new Error('margin-core: worker stopped by the test hook');
    };
    handle = poolWorker(message.init, message.name, die, (m) => console.warn(`margin-core ${message.name}: ${m}`));
    handle.then(() => scope.postMessage({ ready: true }), (error: unknown) => scope.postMessage({ failed: String(error) }));
    return;
  }
  void handle!.then((run) => {
    try {
      const response = run(message.request);
      scope.postMessage({ id: message.id, response }, transferablesOf(response)); // packed rows move, not copied
    } catch (error) {
      if (error instanceof Error && error.message.includes('test hook')) return; // dying: no answer
      scope.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
};

// A message this worker cannot read (a WebAssembly.Module posted to a worker of another agent cluster: a data: URL's
// opaque origin, say) fires no onmessage. Before the first, the pool is told this worker cannot start (rather than wait
// for the ready timeout); later, the uncaught error ends the worker, and the pool replaces it and fails its requests.
scope.onmessageerror = () => {
  const why = 'a message from the page could not be read here (messageerror)';
  if (handle === undefined) scope.postMessage({ failed: why });
  else throw new Error(`margin-core: ${why}`);
};
