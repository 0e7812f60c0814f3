/**
 * The machine's own speed, measured beside a benchmark: a fixed reference loop (float multiply-adds over a 32 KB array
 * that stays in L1: no allocation, no memory traffic, no JIT work after the first calls) timed between the measured
 * calls. On a shared VM the host moves the speed of a core under us: on the VM of the README's figures this loop's
 * time changed by up to 1.9× from one second to the next, and margin-core's calls moved with it (one account's
 * liquidation read 33 µs while the loop read 56 µs, 54 µs while it read 105–109, in the same process and engine).
 * Benchmarks report their plain medians and, beside them, the medians over the windows in which the reference ran
 * within {@link FULL_SPEED} of its fastest window: what the code costs when the core runs at its full speed.
 */
import { middle } from './stats.js';

const REFERENCE = new Float64Array(4096).map((_, i) => 1 + i * 1e-4);
/** The loop's sums, kept so that the loop is not optimised away. */
export let sink = 0;

/** One run of the reference loop, µs (~55 µs at full speed on the README's VM). */
export function referenceMicros(): number {
  const t0 = performance.now();
  let s = 0;
  for (let r = 0; r < 10; r++) for (let i = 0; i < REFERENCE.length; i++) s += REFERENCE[i] * 1.0000001;
  sink += s;
  return (performance.now() - t0) * 1000;
}

/** A window's reference time counts as full speed within this factor of the fastest window's. */
export const FULL_SPEED = 1.1;

/** One window of a benchmark: the median of its measured calls and of the reference runs between them. */
export interface SpeedWindow {
  /** Median of the measured calls, in the caller's unit. */
  median: number;
  /** Median of the reference loop's runs in the window, µs. */
  referenceUs: number;
}

export interface SpeedSummary {
  /** Median over every window's median. */
  median: number;
  /** Median over the windows at full speed (reference within FULL_SPEED of the fastest window's). */
  fullSpeedMedian: number;
  fullSpeedWindows: number;
  windows: number;
  /** Slowest window's reference over the fastest's: how much the machine's own speed moved during the run. */
  referenceSpread: number;
}

/**
 * Runs `call` in `windows` windows of `perWindow` calls (each timed by `time`, which returns the measured part in the
 * caller's unit), a reference run after each call, and summarises the windows.
 */
export function windowsWithReference(windows: number, perWindow: number, time: () => number): SpeedSummary {
  const out: SpeedWindow[] = [];
  for (let w = 0; w < windows; w++) {
    const calls: number[] = [], refs: number[] = [];
    for (let i = 0; i < perWindow; i++) {
      calls.push(time());
      refs.push(referenceMicros());
    }
    out.push({ median: middle(calls), referenceUs: middle(refs) });
  }
  return summarise(out);
}

/** The summary of windows (each at least one measured call): medians overall and at full speed. */
export function summarise(windows: readonly SpeedWindow[]): SpeedSummary {
  const fastest = Math.min(...windows.map((w) => w.referenceUs));
  const slowest = Math.max(...windows.map((w) => w.referenceUs));
  const full = windows.filter((w) => w.referenceUs <= FULL_SPEED * fastest);
  return {
    median: middle(windows.map((w) => w.median)),
    fullSpeedMedian: middle(full.map((w) => w.median)),
    fullSpeedWindows: full.length,
    windows: windows.length,
    referenceSpread: slowest / fastest,
  };
}

/** The reference loop's median over `runs` runs, µs: a window of one long call (a 100,000-account run) brackets it. */
export function referenceNow(runs = 15): number {
  const refs: number[] = [];
  for (let i = 0; i < runs; i++) refs.push(referenceMicros());
  return middle(refs);
}
