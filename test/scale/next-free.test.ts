/**
 * Jobs on workers, each taken by the worker free first (src/scale/next-free.ts, the thread pool's Monte Carlo paths and
 * reverse probes): a worker held up takes none meanwhile, results stay in job order, a failure stops the rest.
 */
import { describe, expect, it } from 'vitest';
import { eachOnNextFree } from '../../src/scale/next-free.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('eachOnNextFree', () => {
  it('gives the jobs to the worker that is free: a worker held up takes none meanwhile, results in job order', async () => {
    const ranOn: number[] = [], told: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let doneOnOne = 0;
    // worker 0's first job lasts until worker 1 has run every other one: a fixed split (job j on worker j mod 2) would
    // have left 5 more waiting on worker 0
    const results = await eachOnNextFree(2, Array.from({ length: 12 }, (_, j) => j), async (worker, job) => {
      ranOn[job] = worker;
      if (worker === 0) await gate;
      else if (++doneOnOne === 11) release();
      return job * 10;
    }, (job) => told.push(job));
    expect(results).toEqual(Array.from({ length: 12 }, (_, j) => j * 10));
    expect(ranOn).toEqual([0, ...Array.from({ length: 11 }, () => 1)]);
    expect(told).toEqual([...Array.from({ length: 11 }, (_, j) => j + 1), 0]);
  });

  it('runs each worker one job at a time, every job once', async () => {
    const busy = [0, 0, 0], ran = new Map<number, number>();
    let overlap = false;
    await eachOnNextFree(3, Array.from({ length: 20 }, (_, j) => j), async (worker, job) => {
      if (busy[worker]++ > 0) overlap = true;
      ran.set(job, (ran.get(job) ?? 0) + 1);
      await sleep(1 + (job % 3));
      busy[worker]--;
    });
    expect(overlap).toBe(false);
    expect([...ran.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, j) => j));
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
  });

  it('rejects with the first failure and takes no job after it', async () => {
    const started: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const error = await eachOnNextFree(2, Array.from({ length: 10 }, (_, j) => j), async (_worker, job) => {
      started.push(job);
      if (job === 1) await gate; // worker 1 is busy while worker 0 goes on to job 2
      if (job === 2) {
        release();
        throw new Error('job 2 failed');
      }
      return job;
    }).catch((e: unknown) => e);
    expect(String(error)).toBe('Error: job 2 failed');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toEqual([0, 1, 2]); // worker 1, free again after the failure, took nothing more
  });

  it('resolves with no results for no jobs', async () => {
    expect(await eachOnNextFree(2, [], async () => 1)).toEqual([]);
  });
});
