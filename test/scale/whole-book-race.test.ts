/**
 * Jobs on the whole book, several methods on one worker at once (src/scale/worker-transport.ts `runWholeOn`): a worker
 * lets a columnar book's positions go once a method's runner laid it out, so a book sent on its own could be let go by
 * another method's job before the job it was sent for ran. The book travels with the job it is sent again for, and is
 * laid out in that same task. A pool here answers its requests one per macrotask, in the order posted, with the
 * worker's own handler (src/workers/pool-worker.ts, on JS) in this process: the interleaving of a thread's queue, every time.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { validateInputs } from '../../src/model/validate.js';
import { generateSample } from '../../src/sample/generate.js';
import { wholeBookOf } from '../../src/scale/whole-book.js';
import { WorkerTransport, type Pool } from '../../src/scale/worker-transport.js';
import type { PoolResponse } from '../../src/scale/worker-requests.js';
import { poolWorker } from '../../src/workers/pool-worker.js';
import { stressPaths } from '../../src/stress/stress.js';
import { firstDifference } from '../support/bits.js';

const engine = await createEngine({ backend: 'js' });

/** One worker's queue: the worker's own request handler, answering in the order posted, one per macrotask, on copies. */
async function queuedPool(): Promise<Pool> {
  const answer = await poolWorker({}, 'queued', () => { throw new Error('no crash asked here'); }, () => undefined);
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(request) {
      const copy = structuredClone(request);
      const done = tail.then(() => new Promise<PoolResponse>((resolve) => setTimeout(() => resolve(answer(copy)), 0)));
      tail = done.catch(() => undefined);
      return done;
    },
    destroy: async () => undefined,
  };
}

describe('jobs of several methods on one worker holding no book yet', () => {
  it('every job answers on its first try, the paths of a run from scratch, bit for bit', async () => {
    const sample = generateSample({ accounts: 30, seed: 21, positionsPerAccount: 3 });
    const { book, market } = validateInputs(sample.book, sample.market);
    const whole = wholeBookOf(book); // columns: a worker lets their positions go
    const transport = new WorkerTransport('threads', [await queuedPool()]);
    const shock = { spot: { BTC: -0.1, ETH: -0.12 } }, options = { paths: 2, seed: 5, params: { stress: { maxRounds: 4 } } };
    const methods = ['cross', 'portfolio', 'isolated', 'var', 'span'];
    const jobs = methods.map((method) => ({ bookId: 'b', market, shock, options: { ...options, method }, method, from: 0, to: 2 }));
    const paths = await transport.runStressPaths(whole, jobs);
    for (const [j, method] of methods.entries()) {
      const fresh = stressPaths(() => engine.openBook(book), engine.methods, market, shock, { ...options, method }, method, 0, 2);
      expect(firstDifference(paths[j], fresh), method).toBeNull();
    }
    // no try failed: a failed try counts as a worker replaced
    expect((await transport.health()).recoveries).toBe(0);
  });
});
