/**
 * Portfolio benchmark (a) split over two worker threads (bench/portfolio-split.ts): the run checks every group's worst
 * loss and scenario against a single-threaded run and throws on the first difference, so this test fails when the
 * split (offset column pointers, the exchange of risk-array halves through shared memory, the group cut) loses a bit.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { splitKernelBench } from '../../bench/portfolio-split.js';

const worker = new URL('../../dist/bench-split-worker.js', import.meta.url);

test('two threads give the single-threaded worst losses, bit for bit, and both are timed', async () => {
  expect(existsSync(fileURLToPath(worker)), 'run npm run build first').toBe(true);
  const result = await splitKernelBench(worker, 50);
  expect(result.rows.map((r) => r.name)).toEqual([expect.stringMatching(/1 thread$/), expect.stringMatching(/2 worker threads/)]);
  for (const row of result.rows) expect(row.ms).toBeGreaterThan(0);
  for (const phase of result.phases) expect(phase.risk + phase.reduce).toBeGreaterThan(0);
}, 60_000);
