/**
 * The Redis keys of one cluster (a consumer group name), in one place. `{group}` is a hash tag: every key of a cluster
 * lands on one slot, so the MULTI blocks below also work on Redis Cluster.
 *
 *   shards           string: how many shards this cluster's books are cut into (set by the first coordinator)
 *   workers          hash: consumer → its health record (JSON, with the time it was written): the live workers
 *   tasks:{s}        stream per shard s: one entry per (book, tick), field `task` = the ShardTask (v8-serialised)
 *   book:{id}:{s}    string: shard s of book id (a ShardBook), read by whichever worker first runs that shard
 *   result:{id}:{t}  hash: shard → ShardOutcome of tick t; a redelivered task writes the same bytes again
 *   done:{id}        stream: one entry per answered (shard, tick), what the coordinator blocks on
 */
export class ClusterKeys {
  readonly shards: string;
  readonly workers: string;

  constructor(readonly group: string) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(group)) throw new TypeError(`group must be 1 to 64 letters, digits or _ . : -, got ${JSON.stringify(group)}`);
    this.shards = `mc:{${group}}:shards`;
    this.workers = `mc:{${group}}:workers`;
  }

  tasks(shard: number): string {
    return `mc:{${this.group}}:tasks:${shard}`;
  }

  book(bookId: string, shard: number): string {
    return `mc:{${this.group}}:book:${bookId}:${shard}`;
  }

  result(bookId: string, tick: number): string {
    return `mc:{${this.group}}:result:${bookId}:${tick}`;
  }

  done(bookId: string): string {
    return `mc:{${this.group}}:done:${bookId}`;
  }
}
