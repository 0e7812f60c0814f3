/**
 * Portfolio benchmark (a) split over two worker threads (bench/portfolio-split.ts): the run checks every group's worst
 * loss and scenario against a single-threaded run and throws on the first difference, so this test fails when the
 * split (each thread's rows and groups renumbered, the worst losses written back to their groups) loses a bit or a group.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { splitKernelBench, splitOf } from '../../bench/portfolio-split.js';
import { kernelInputs, N_UNDERLYINGS } from '../../bench/portfolio.js';

const worker = new URL('../../dist/bench-split-worker.js', import.meta.url);

test('two threads give the single-threaded worst losses, bit for bit, and both are timed', async () => {
  expect(existsSync(fileURLToPath(worker)), 'run npm run build first').toBe(true);
  const result = await splitKernelBench(worker, 50);
  expect(result.rows.map((r) => r.name)).toEqual([expect.stringMatching(/1 thread$/), expect.stringMatching(/2 worker threads/)]);
  for (const row of result.rows) expect(row.ms).toBeGreaterThan(0);
  for (const phase of result.phases) expect(phase.risk + phase.reduce).toBeGreaterThan(0);
}, 60_000);

test('the underlyings go to the threads whole, each to one, with the slot counts nearest to halves', () => {
  const input = kernelInputs();
  const [a, b] = [splitOf(input, 0), splitOf(input, 1)];
  expect(a.size).toBeGreaterThan(0);
  expect(b.size).toBeGreaterThan(0);
  expect([...a, ...b].sort()).toEqual(Array.from({ length: N_UNDERLYINGS }, (_, u) => u));
  // slots per underlying counted here from the groups, and every split of the underlyings tried
  const { groupStart, groupEnd, groupUnderlying } = input.reduce as unknown as Record<string, Int32Array>;
  const slots = new Array<number>(N_UNDERLYINGS).fill(0);
  for (let g = 0; g < input.nGroups; g++) slots[groupUnderlying[g]] += groupEnd[g] - groupStart[g];
  const total = slots.reduce((x, y) => x + y, 0);
  const gapOf = (set: Set<number>) => Math.abs(2 * [...set].reduce((sum, u) => sum + slots[u], 0) - total);
  let best = Infinity;
  for (let mask = 1; mask < (1 << N_UNDERLYINGS) - 1; mask++) best = Math.min(best, gapOf(new Set([0, 1, 2, 3].filter((u) => mask & (1 << u)))));
  expect(gapOf(a)).toBe(best);
});
