/**
 * CPU time and run-queue wait of this process's threads (Linux /proc/self/task/<tid>/schedstat: ns on a core, ns
 * runnable but waiting for one), so a benchmark on a shared machine can tell its own work from the time other
 * processes took the cores. Empty where /proc is not there.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Per thread id: ms on a core and ms waiting for one, since the thread started. */
export type ThreadTimes = Map<string, { cpuMs: number; waitMs: number }>;

export function threadTimes(): ThreadTimes {
  const times: ThreadTimes = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      times.set(tid, { cpuMs: run / 1e6, waitMs: wait / 1e6 });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return times;
}

/**
 * What the threads did between two readings: CPU ms and run-queue wait ms summed over them, and the CPU ms of the
 * busiest one (on free cores, the critical path cannot be shorter: a load-independent view of a parallel run). NaN
 * without /proc.
 */
export function threadDelta(before: ThreadTimes, after: ThreadTimes): { cpuMs: number; waitMs: number; busiestThreadMs: number } {
  if (after.size === 0) return { cpuMs: NaN, waitMs: NaN, busiestThreadMs: NaN };
  let cpuMs = 0, waitMs = 0, busiestThreadMs = 0;
  for (const [tid, t] of after) {
    const b = before.get(tid);
    const cpu = t.cpuMs - (b?.cpuMs ?? 0);
    cpuMs += cpu;
    waitMs += t.waitMs - (b?.waitMs ?? 0);
    busiestThreadMs = Math.max(busiestThreadMs, cpu);
  }
  return { cpuMs, waitMs, busiestThreadMs };
}
