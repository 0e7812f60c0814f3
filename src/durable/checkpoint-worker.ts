/**
 * Checkpoint bytes made on a worker thread: the shard's event loop only takes the snapshot (checkpoint-snapshot.ts,
 * a copy of the columns) and hands it over, its buffers transferred, not copied again; capture, state hash, Arrow and
 * JSON encoding and CRC run on the worker, so what-ifs and fills are answered meanwhile. One worker per shard, started
 * on the first checkpoint and reused; it runs `workerFile`, the CLI bundle (dist/cli.js), whose entry serves
 * checkpoints when {@link isCheckpointWorkerThread} (src/cli/main.ts), as src/cli/read-ahead.ts does for book reading.
 * Without a worker file (the sources under vitest) the bytes are made in this thread, the same bytes; so they are once
 * the worker thread has failed {@link THREAD_FAILURES_TO_FALL_BACK} times in a row (it cannot start, or dies): a shard
 * that cannot run the thread keeps checkpointing, its event loop paying the encoding again.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type CheckpointSnapshot, encodeSnapshot } from './checkpoint-snapshot.js';
import { copyBuffers } from './layout-copy.js';

/** The key of workerData that makes a thread of the CLI bundle a checkpoint encoder. */
export const CHECKPOINT_WORKER = 'margin-core:checkpoint-worker';

/** Failures of the worker thread in a row (not of a snapshot's encoding) after which the bytes are made in this thread. */
export const THREAD_FAILURES_TO_FALL_BACK = 2;

type Request = { id: number; snapshot: CheckpointSnapshot };
type Reply = { id: number; bytes: Uint8Array } | { id: number; error: string };

/** Whether this thread was started as a checkpoint encoder (then {@link serveCheckpoints} is its whole work). */
export function isCheckpointWorkerThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[CHECKPOINT_WORKER] !== undefined;
}

/** The worker's side: one snapshot in, its bytes out (transferred), in order. */
export function serveCheckpoints(): void {
  const port = parentPort!;
  port.on('message', ({ id, snapshot }: Request) => {
    encodeSnapshot(snapshot).then(
      (bytes) => port.postMessage({ id, bytes } satisfies Reply, [bytes.buffer as ArrayBuffer]),
      (error: unknown) => port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies Reply),
    );
  });
}

export class CheckpointEncoder {
  private worker: Worker | null = null;
  private nextId = 0;
  /** Snapshots sent and not answered, with the thread they went to. */
  private readonly pending = new Map<number, { worker: Worker; resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }>();
  private threadFailuresInRow = 0;

  /**
   * `workerFile`: the CLI bundle to run as the worker; undefined makes the bytes in this thread. `onFallBack` is told
   * once, with the last error, when the thread has failed often enough that the bytes are made here from then on.
   */
  constructor(readonly workerFile: string | undefined, private readonly onFallBack?: (error: Error) => void) {}

  /** Whether the bytes are made in this thread (no worker file, or the worker thread kept failing). */
  get inThread(): boolean {
    return this.workerFile === undefined || this.threadFailuresInRow >= THREAD_FAILURES_TO_FALL_BACK;
  }

  /** The bytes of `snapshot`; on the worker, the snapshot's buffers are moved there (not usable here after). */
  encode(snapshot: CheckpointSnapshot): Promise<Uint8Array> {
    if (this.workerFile === undefined || this.inThread) return encodeSnapshot(snapshot);
    const worker = this.started(this.workerFile);
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      try {
        worker.postMessage({ id, snapshot } satisfies Request, snapshot.layout === null ? [] : copyBuffers(snapshot.layout));
      } catch (error) {
        this.pending.delete(id); // not sent (a value that cannot be cloned)
        reject(error as Error);
      }
    });
  }

  /** Stops the worker: checkpoints still pending fail now (an answer on its way is dropped). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    this.failSent(worker, new Error('the checkpoint worker stopped (closed)'));
    await worker.terminate();
  }

  /** Rejects the snapshots sent to `worker` and not answered. */
  private failSent(worker: Worker, error: Error): void {
    for (const [id, sent] of this.pending) {
      if (sent.worker !== worker) continue; // a newer thread's
      this.pending.delete(id);
      sent.reject(error);
    }
  }

  private started(file: string): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(file, { workerData: { [CHECKPOINT_WORKER]: true }, argv: [], stdout: false, stderr: false });
    worker.unref(); // an idle encoder does not keep the shard's process alive
    worker.on('message', (reply: Reply) => {
      this.threadFailuresInRow = 0;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('bytes' in reply) waiting?.resolve(reply.bytes);
      else waiting?.reject(new Error(`checkpoint worker: ${reply.error}`));
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) {
        this.worker = null; // the next checkpoint starts a new one
        if (++this.threadFailuresInRow === THREAD_FAILURES_TO_FALL_BACK) this.onFallBack?.(error);
      }
      this.failSent(worker, error);
    };
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => failAll(new Error(`the checkpoint worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
