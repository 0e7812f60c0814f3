/**
 * margin-core/scale: a book split into shards that run in worker threads, Web Workers, this thread or Redis-backed
 * workers (docs/scale-out.md). `engine.openShardedBook(book, transport?)` opens a {@link ShardedBook}; a transport of
 * your own implements {@link ShardTransport}. A shard's wire vocabulary (tasks, reports) and the account → shard hash
 * are here for transports and workers written elsewhere.
 */
export { ShardedBook } from './scale/sharded-book.js';
export type { ShardTransport, TransportHealth, WorkerHealth } from './scale/transport.js';
export { LocalTransport } from './scale/local-transport.js';
export type { ShardBook } from './scale/shard-book.js';
export type { ShardTask, ShardOutcome, ShardReport, ShardMarginOptions } from './scale/tasks.js';
export { shardOf } from './scale/hash.js';
