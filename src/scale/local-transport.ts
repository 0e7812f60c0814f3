/** Shards run in this process, one after another, on the coordinator's own engine: `workers: 1`, and the reference. */
import type { ShardBook } from './shard-book.js';
import { type ShardEngine, type ShardOutcome, ShardStore, type ShardTask } from './tasks.js';
import type { ShardTransport, TransportHealth } from './transport.js';
import { buildIdentity } from './identity.js';

export class LocalTransport implements ShardTransport {
  readonly name = 'local';
  /** Shards in one thread still split a run's instrument table: each computes its slice instead of the whole. */
  readonly exchangesTables = true;
  private readonly store: ShardStore;

  constructor(private readonly engine: ShardEngine, readonly shards = 1) {
    this.store = new ShardStore(engine);
  }

  async load(bookId: string, shards: readonly ShardBook[]): Promise<void> {
    this.store.unload(bookId);
    for (const shard of shards) this.store.load(bookId, shard);
  }

  async run(tasks: readonly ShardTask[]): Promise<ShardOutcome[]> {
    return tasks.map((task) => {
      const outcome = this.store.run(task);
      if (outcome.kind === 'missing') throw new Error(`margin-core: shard ${task.shard} of book ${task.bookId} is not loaded`);
      return outcome;
    });
  }

  async unload(bookId: string): Promise<void> {
    this.store.unload(bookId);
  }

  async health(): Promise<TransportHealth> {
    return { transport: this.name, shards: this.shards, workers: [{ id: 'main', shardsHeld: this.store.size, backend: this.engine.backend, idleMs: 0, ...buildIdentity() }], recoveries: 0, pending: 0 };
  }

  async close(): Promise<void> {}
}
