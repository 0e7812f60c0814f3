/**
 * The browser benchmark's page (built to dist/bench-browser/page.js): runs the case named in the query string
 * (`?case=greeks-wasm`) on the library the page imports (`?bundle=./margin-core.js`, the browser build under test)
 * and leaves its rows in `window.benchResult` (or the error in `window.benchError`) for bench/browser.ts to read.
 */
import type * as Library from '../src/index.js';
import { CASE_NAMES, type CaseName, runCase } from './browser-cases.js';

declare global {
  interface Window {
    benchResult?: unknown;
    benchError?: string;
  }
}

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const name = query.get('case') as CaseName;
  if (!CASE_NAMES.includes(name)) throw new Error(`unknown case ${JSON.stringify(name)}`);
  const lib = (await import(query.get('bundle') ?? '/margin-core.js')) as typeof Library;
  const json = async (file: string) => (await fetch(`/sample/${file}`)).json() as Promise<unknown>;
  window.benchResult = await runCase(name, {
    createEngine: lib.createEngine,
    sample: async () => ({ book: await json('book.json'), market: await json('market.json') }),
    generated: (accounts) => lib.generateSample({ accounts, seed: 7 }),
  }, {
    accounts: Number(query.get('accounts') ?? 100_000),
    options: Number(query.get('options') ?? 1_000_000),
  });
}

main().catch((error: unknown) => {
  window.benchError = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
});
