/**
 * The `highs` module as the risk page's bundle sees it (scripts/build.mjs aliases `highs` to this file for
 * dist/web/app.js): the page is one classic script, which cannot import the solver's ES module, so the solver is a
 * second classic script beside it, dist/web/highs-solver.js (web/highs-solver.ts: HiGHS with its WASM embedded),
 * loaded on the first optimisation only: pages that never ask for a hedge never download its 4.7 MB. A script tag
 * works from a static server and from a page opened straight from disk alike (a fetch of the .wasm would not).
 */

/** What web/highs-solver.ts leaves on the global object: the HiGHS module factory with the WASM bytes given. */
declare global {
  // eslint-disable-next-line no-var
  var marginCoreHighs: ((options?: object) => Promise<unknown>) | undefined;
}

const SOLVER_SCRIPT = 'highs-solver.js';
let loading: Promise<void> | null = null;

/** The solver script's URL: beside the page's app.js (or the page itself). */
function solverUrl(): string {
  const app = Array.from(document.scripts).find((s) => /(^|\/)app\.js(\?|$)/.test(s.src));
  return new URL(SOLVER_SCRIPT, app?.src || document.baseURI).href;
}

/** The HiGHS module factory's signature (src/optimize/solver.ts calls it with its load options). */
export default async function highs(options?: object): Promise<unknown> {
  loading ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = solverUrl();
    script.onload = () => resolve();
    script.onerror = () => {
      loading = null;
      reject(new Error(`could not load the LP solver (${script.src})`));
    };
    document.head.append(script);
  });
  await loading;
  if (!globalThis.marginCoreHighs) throw new Error(`${SOLVER_SCRIPT} loaded but did not register the solver`);
  return globalThis.marginCoreHighs(options);
}
