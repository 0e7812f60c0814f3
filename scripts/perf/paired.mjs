// What the paired A/B scripts share (ab-liquidate.mjs, ab-stress.mjs): their options, the two builds loaded side by side,
// CPU time and medians.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `--name value` taken out of `argv` (the value), or `fallback`. */
export function option(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1] : fallback;
}

/** The two builds named first in `argv` (NEW, OLD), imported. */
export function builds(argv) {
  return Promise.all(argv.slice(0, 2).map((p) => import(pathToFileURL(resolve(p)).href)));
}

/** This process's CPU time so far (user + system), ms. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * `pairs` pairs of `timed('old')` and `timed('new')` calls, the order alternating (a shared machine's load hits both
 * alike); each call's `{ ms, result }`, the results of a pair equal or it throws. The per-pair ratios new/old and each
 * build's times.
 */
export function pairedRuns(pairs, timed) {
  const runs = { ratios: [], olds: [], news: [] };
  for (let k = 0; k < pairs; k++) {
    const first = k % 2 ? 'new' : 'old';
    addPair(runs, first, timed(first), timed(other(first)));
  }
  return runs;
}

/** {@link pairedRuns} for a `timed` that returns a promise (calls on worker threads, timed by the wall clock). */
export async function pairedRunsAsync(pairs, timed) {
  const runs = { ratios: [], olds: [], news: [] };
  for (let k = 0; k < pairs; k++) {
    const first = k % 2 ? 'new' : 'old';
    const a = await timed(first);
    addPair(runs, first, a, await timed(other(first)));
  }
  return runs;
}

const other = (which) => (which === 'new' ? 'old' : 'new');

/** Adds one pair (`a` of the build called first, then `b`) to `runs`; throws when their results differ. */
function addPair(runs, first, a, b) {
  const n = first === 'new' ? a : b, o = first === 'new' ? b : a;
  if (n.result !== o.result) throw new Error(`the two builds give different results:\n new ${n.result}\n old ${o.result}`);
  runs.ratios.push(n.ms / o.ms);
  runs.olds.push(o.ms);
  runs.news.push(n.ms);
}
