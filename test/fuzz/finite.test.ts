/**
 * Every number finite, or an InputError with a path (issue 36 item 3; test/fuzz/property.ts): a short run of the
 * property on every call, on the JS twin and WASM SIMD. The long run: `node scripts/fuzz.mjs --runs 10000`
 * (FUZZ_RUNS, FUZZ_BACKENDS and FUZZ_SEED set the runs, the backends and the seed).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { CALLS, inputsArb, outcome } from './property.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? 36);
const BACKENDS = (process.env.FUZZ_BACKENDS ?? 'js,wasm-simd').split(',') as ('js' | 'wasm-simd')[];

const engines: Partial<Record<string, Engine>> = {};
beforeAll(async () => {
  for (const backend of BACKENDS) engines[backend] = await createEngine(backend === 'js' ? { backend: 'js' } : { backend: 'wasm', simd: true });
});

describe.each(BACKENDS)('every number finite, or an InputError with a path (%s)', (backend) => {
  for (const [name, call] of Object.entries(CALLS)) {
    it(name, () => {
      const engine = engines[backend]!;
      const counts = { report: 0, refused: 0 };
      fc.assert(
        fc.property(inputsArb, (x) => {
          const o = outcome(call, engine, x);
          if (o !== 'report' && o !== 'refused') throw new Error(`${name} on ${backend}: ${o}\ninputs: ${JSON.stringify(x)}`);
          counts[o]++;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      if (process.env.FUZZ_REPORT) process.stdout.write(`fuzz ${backend} ${name}: ${counts.report} reports, ${counts.refused} refused at the door\n`);
      // most runs reach the engine: the property is not won by refusing everything
      expect(counts.report, `${name}: ${counts.report} reports of ${RUNS}`).toBeGreaterThan(RUNS / 5);
    }, RUNS * 200 + 10_000);
  }
});
