/**
 * Loading the kernels in a page (real headless Chromium): a page that serves the .wasm files has them streamed
 * (compileStreaming, one request per page, compiled once however many engines and pricers it makes); a missing file
 * falls back to the embedded bytes with one warning; the per-module build (dist/browser/esm/, what bundlers get) runs
 * the engine and its Web Worker pool. Every path prices with Node's bits.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createEngine } from '../src/index.js';
import { launchChromium, listenOnLoopback } from './support/chromium.js';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist', 'browser');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };
const OPTIONS = `{ isCall: Uint8Array.of(1, 0), spot: Float64Array.of(60, 100), strike: Float64Array.of(65, 95), expiryYears: Float64Array.of(0.25, 0.5),
  vol: Float64Array.of(0.3, 0.2), rate: Float64Array.of(0.08, 0.1), carry: Float64Array.of(0, 0.05) }`;

/** Pages by path; anything else is a file of dist/browser/ (or /sample/: data/sample/). */
const PAGES: Record<string, string> = {
  '/streamed.html': `<script type="module">
    import { createEngine, createPricer } from './margin-core.js';
    const warnings = [];
    const wasmUrls = { simd: './margin-core.simd.wasm', scalar: './margin-core.scalar.wasm' };
    const engine = await createEngine({ wasmUrls, onWarning: (m) => warnings.push(m) });
    const again = await createEngine({ wasmUrls, onWarning: (m) => warnings.push(m) });
    const pricer = await createPricer({ onWarning: (m) => warnings.push(m) });
    const out = engine.greeks(${OPTIONS});
    window.result = { backend: engine.backend, others: [again.backend, pricer.backend], warnings, price: Array.from(out.price), vega: Array.from(out.vega),
      same: Array.from(pricer.greeks(${OPTIONS}).price).every((x, i) => Object.is(x, out.price[i])), calls: window.wasmCalls,
      fetched: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm')) };
  </script>`,
  '/missing.html': `<script type="module">
    import { createEngine } from './margin-core.js';
    const warnings = [];
    const engine = await createEngine({ wasmUrls: { simd: './nowhere.simd.wasm' }, onWarning: (m) => warnings.push(m) });
    const out = engine.greeks(${OPTIONS});
    window.result = { backend: engine.backend, warnings, price: Array.from(out.price), vega: Array.from(out.vega), calls: window.wasmCalls };
  </script>`,
  '/modules.html': `<script type="module">
    import { createEngine } from './esm/index.js';
    const [book, market] = await Promise.all(['book.json', 'market.json'].map((f) => fetch('/sample/' + f).then((r) => r.json())));
    const engine = await createEngine({ workers: 2 });
    const sharded = await engine.openShardedBook(book);
    // the sharded report also says who computed which shards (computedBy); the rest is the same bytes
    const { computedBy, ...rest } = await sharded.margin(market, { method: 'portfolio' });
    const a = JSON.stringify(rest), b = JSON.stringify(engine.margin(book, market, { method: 'portfolio' }));
    const out = engine.greeks(${OPTIONS});
    window.result = { backend: engine.backend, workers: engine.workers, shardedSame: a === b, price: Array.from(out.price), vega: Array.from(out.vega) };
    await sharded.release();
    await engine.close();
  </script>`,
};

let server: Server;
let browser: Browser;
let url = '';

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (PAGES[path]) return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><meta charset="utf-8">${PAGES[path]}`);
    const base = path.startsWith('/sample/') ? join(root, 'data') : dist;
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep)) return void res.writeHead(403).end();
    const body = await readFile(file).catch(() => undefined);
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  url = await listenOnLoopback(server);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Opens `path` with WebAssembly's compile functions counted, and returns the page's `window.result`. */
async function run(path: string): Promise<Record<string, unknown>> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const calls: Record<string, number> = {};
    (window as unknown as { wasmCalls: Record<string, number> }).wasmCalls = calls;
    for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming'] as const) {
      const f = WebAssembly[name] as (...a: unknown[]) => unknown;
      (WebAssembly as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return f.apply(WebAssembly, a);
      };
    }
  });
  await page.goto(`${url}${path.slice(1)}`);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 }).catch(() => undefined);
  const result = await page.evaluate(() => (window as unknown as { result?: Record<string, unknown> }).result);
  await page.close();
  expect(errors).toEqual([]);
  return result!;
}

let node: { price: number[]; vega: number[] };
beforeAll(async () => {
  const out = (await createEngine({ backend: 'js' })).greeks(new Function(`return ${OPTIONS}`)());
  node = { price: Array.from(out.price), vega: Array.from(out.vega) };
});

test('a page serving the .wasm files streams them: one request, one compile for every engine and pricer, Node\'s bits', async () => {
  const result = await run('/streamed.html');
  expect(result.backend).toBe('wasm-simd');
  expect(result.others).toEqual(['wasm-simd', 'wasm-simd']);
  expect(result.warnings).toEqual([]);
  expect(result.fetched).toEqual(['/margin-core.simd.wasm']);
  expect(result.calls).toEqual({ compileStreaming: 1, instantiate: 3 });
  expect({ price: result.price, vega: result.vega }).toEqual(node);
  expect(result.same).toBe(true);
});

test('a missing .wasm falls back to the embedded bytes with one warning and the same bits', async () => {
  const result = await run('/missing.html');
  expect(result.backend).toBe('wasm-simd');
  expect(result.warnings).toEqual([expect.stringMatching(/^could not stream the simd kernels from \.\/nowhere\.simd\.wasm \(HTTP 404\); using the embedded bytes$/)]);
  expect(result.calls).toEqual({ compile: 1, instantiate: 1 });
  expect({ price: result.price, vega: result.vega }).toEqual(node);
});

test('the per-module build runs the engine and its Web Workers in a page', async () => {
  const result = await run('/modules.html');
  expect(result).toMatchObject({ backend: 'wasm-simd', workers: 2, shardedSame: true });
  expect({ price: result.price, vega: result.vega }).toEqual(node);
});
