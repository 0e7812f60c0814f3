/**
 * Cluster identity (src/scale/identity.ts): every shard answer carries its worker's name, backend, version, build and
 * params fingerprints; a coordinator merges only answers of its own build, refusing any other with an error that names
 * the worker and what differs, and the report lists every worker that computed it. (The Redis tests run a worker of
 * another build for real: test/scale/redis.test.ts.)
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { buildIdentity, canonicalJson, identityMismatch } from '../../src/scale/identity.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import type { ShardOutcome, ShardTask } from '../../src/scale/tasks.js';

let engine: Engine;
let book: ValidatedBook;
let market: ValidatedMarket;
beforeAll(async () => {
  engine = await createEngine();
  const sample = generateSample({ accounts: 200, seed: 4 });
  ({ book, market } = validateInputs(sample.book, sample.market));
});

/** Shards in this process whose answers are changed on the way back, as a worker of another build would answer. */
class Tampered extends LocalTransport {
  constructor(engine: Engine, shards: number, private readonly tamper: (outcome: ShardOutcome) => void) {
    super(engine, shards);
  }

  override async run(tasks: readonly ShardTask[]): Promise<ShardOutcome[]> {
    const outcomes = await super.run(tasks);
    for (const outcome of outcomes) this.tamper(outcome);
    return outcomes;
  }
}

describe('build identity', () => {
  test('is the package version and two 64-bit fingerprints, the same on every call', () => {
    const id = buildIdentity();
    expect(id.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(id.build).toMatch(/^[0-9a-f]{16}$/);
    expect(id.params).toMatch(/^[0-9a-f]{16}$/);
    expect(buildIdentity()).toEqual(id);
  });

  test('canonical JSON sorts keys at every level and keeps what JSON would lose apart', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, 2] }, b: 1 }));
    expect(canonicalJson({ a: { c: null, d: [1, 2] }, b: 1 })).toBe('{"a":{"c":null,"d":[1,2]},"b":1}');
    expect(canonicalJson([Infinity, -Infinity, -0, 0])).toBe('["Infinity","-Infinity",-0,0]');
    expect(canonicalJson({ mmFactor: 0.8 })).not.toBe(canonicalJson({ mmFactor: 0.7 }));
    expect(canonicalJson(new Map([['x', 1]]))).toBe('{"x":1}');
  });

  test('a mismatch names the worker and every part that differs', () => {
    const mine = buildIdentity();
    const stamp = { ...mine, worker: 'w2', backend: 'js' };
    expect(identityMismatch(stamp, mine, 'shard 1 of tick 0')).toBeNull(); // another backend is fine: same bits
    expect(identityMismatch({ ...stamp, params: '0000000000000000' }, mine, 'shard 1 of tick 0')).toBe(
      `margin-core: worker w2 runs another build than this coordinator: params 0000000000000000 (coordinator ${mine.params}: other default parameters); refusing its rows for shard 1 of tick 0 (run every worker and the coordinator from one margin-core build)`,
    );
    expect(identityMismatch({ ...stamp, version: '9.9.9', build: 'ffffffffffffffff' }, mine, 'x')).toMatch(/version 9\.9\.9 \(coordinator .*\), build ffffffffffffffff/);
    expect(identityMismatch(undefined, mine, 'shard 0 of tick 3')).toMatch(/announced no build or params fingerprint/);
  });
});

describe('a coordinator', () => {
  test('lists every worker and backend that computed the report, with their shards', async () => {
    const sharded = await engine.openShardedBook(book, new Tampered(engine, 3, (o) => {
      if (o.kind === 'ok') o.by = { ...o.by!, worker: `w${o.shard % 2}`, backend: o.shard === 2 ? 'js' : o.by!.backend };
    }));
    const report = await sharded.margin(market, { method: 'cross' });
    expect(report.computedBy).toEqual([
      { worker: 'w0', backend: 'js', shards: [2] },
      { worker: 'w0', backend: engine.backend, shards: [0] },
      { worker: 'w1', backend: engine.backend, shards: [1] },
    ]);
    await sharded.release();
  });

  test.each([
    ['other default parameters', (o: ShardOutcome) => o.kind === 'ok' && o.shard === 1 && (o.by = { ...o.by!, worker: 'old-7', params: 'abcdefabcdefabcd' }), /worker old-7 runs another build .*params abcdefabcdefabcd/],
    ['another version', (o: ShardOutcome) => o.kind === 'ok' && o.shard === 0 && (o.by = { ...o.by!, worker: 'old-8', version: '0.0.1' }), /worker old-8 runs another build .*version 0\.0\.1/],
    ['no identity at all', (o: ShardOutcome) => o.kind === 'ok' && o.shard === 2 && delete o.by, /shard 2 of tick 0 was answered by a worker that announced no build or params fingerprint/],
  ])('refuses rows of %s, naming the worker, and gives no report', async (_name, tamper, message) => {
    const sharded = await engine.openShardedBook(book, new Tampered(engine, 3, tamper));
    await expect(sharded.margin(market, { method: 'portfolio' })).rejects.toThrow(message);
    await sharded.release();
  });
});
