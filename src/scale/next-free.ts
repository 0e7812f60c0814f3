/**
 * Jobs over a fixed set of workers, each job taken by the worker that is free first: a worker slowed by other work on
 * its core, or given the heavier jobs, takes fewer of them (a fixed split waits for the slowest). The results come in
 * job order, whichever worker ran each, so what the caller assembles does not depend on the split.
 */

/**
 * Runs `run(worker, job)` for every job on `workers` workers (0 … workers − 1), each worker one job at a time; resolves
 * with the results in job order. `onJob` is told of each job (its index) as it completes. After a job failed, no
 * worker takes another, and the first failure rejects.
 */
export async function eachOnNextFree<J, T>(workers: number, jobs: readonly J[], run: (worker: number, job: J) => Promise<T>, onJob?: (job: number) => void): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0, failed = false;
  const drain = async (worker: number) => {
    while (!failed && next < jobs.length) {
      const j = next++;
      try {
        results[j] = await run(worker, jobs[j]);
      } catch (error) {
        failed = true;
        throw error;
      }
      onJob?.(j);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, (_, w) => drain(w)));
  return results;
}
