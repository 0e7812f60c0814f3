/**
 * The `highs` module as the risk page's bundle sees it (scripts/build.mjs aliases `highs` to this file for
 * dist/web/app.js). The solver is not bundled: `margin-core page` serves the installed `highs` package's own
 * files under /highs/ (src/cli/commands/page.ts), and this loads them on the first optimisation only, so pages that
 * never ask for a hedge never download its 3.5 MB WASM. The page is one classic script, which cannot import the
 * solver's ES module: highs.js is added as a classic script too (it leaves its factory as the global `Module`), and
 * it fetches highs.wasm from beside itself.
 */

/** What highs.js (Emscripten's output, loaded as a classic script) leaves on the global object. */
declare global {
  // eslint-disable-next-line no-var
  var Module: ((options?: object) => Promise<unknown>) | undefined;
}

/** The folder `margin-core page` serves the `highs` package's build from (page.ts SOLVER_ROUTE). */
const SOLVER_DIR = 'highs/';
let loading: Promise<(options?: object) => Promise<unknown>> | null = null;

/** The solver's folder: beside the page's app.js (or the page itself). */
function solverBase(): string {
  const app = Array.from(document.scripts).find((s) => /(^|\/)app\.js(\?|$)/.test(s.src));
  return new URL(SOLVER_DIR, app?.src || document.baseURI).href;
}

function loadFactory(base: string): Promise<(options?: object) => Promise<unknown>> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('highs.js', base).href;
    script.onload = () => (globalThis.Module ? resolve(globalThis.Module) : reject(new Error(`${script.src} loaded but did not define the solver`)));
    script.onerror = () => reject(new Error(`could not load the LP solver (${script.src}): serve the page with \`margin-core page\`, with the \`highs\` package installed (npm install highs)`));
    document.head.append(script);
  });
}

/** The HiGHS module factory's signature (src/optimize/solver.ts calls it with its load options). */
export default async function highs(options?: object): Promise<unknown> {
  const base = solverBase();
  loading ??= loadFactory(base).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  const factory = await loading;
  return factory({ locateFile: (file: string) => new URL(file, base).href, ...options });
}
