/**
 * Where the Web Workers' script is, in real headless Chromium (as web-workers.test.ts). A page bundled with esbuild
 * from the per-module build (what `import 'margin-core'` gives a bundler) lives in /app/, where nothing copied
 * scale-worker.js: `createEngine({ workers: 2 })` rejects within seconds naming the URL and the fix, after one Worker
 * per pool (counted by wrapping the page's Worker), and starts none later. `workerUrl` naming the served
 * dist/browser/scale-worker.js runs the sharded book with the single-thread engine's bits. A ready worker that dies
 * while its replacements' script is gone fails the call after a bounded count of replacements; close() leaves no call
 * pending. Copied beside the bundle, the default URL finds it.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MAX_FAILED_RESTARTS } from '../../src/scale/worker-transport.js';
import { launchChromium, listenOnLoopback } from '../support/chromium.js';

const root = join(import.meta.dirname, '..', '..');

const PAGE = `<!doctype html><meta charset="utf-8"><title>margin-core worker URL</title>
<script type="module">import { createEngine } from '/app/app.js'; window.createEngine = createEngine; window.pageReady = true;</script>`;
/** The page's createEngine, from its bundle (a dynamic import in page.evaluate would be rewritten by vitest). */
type PageWindow = { createEngine: (options?: unknown) => Promise<any> }; // the page's engine, untyped there

/** Runs before the page's scripts: every Worker the page makes is counted, and can be sent to a URL that 404s. */
function countWorkers(): void {
  const w = window as unknown as { workersMade: string[]; breakWorkers?: boolean; Worker: typeof Worker };
  w.workersMade = [];
  const Native = w.Worker;
  w.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      const used = w.breakWorkers ? '/gone/scale-worker.js' : url;
      super(used, options);
      w.workersMade.push(String(used));
    }
  };
}

let server: Server | undefined;
let browser: Browser;
let base = '';
let app = '';
/** Requests by path. */
const requests = new Map<string, number>();

beforeAll(async () => {
  // the page's bundle, as an application built with esbuild ships it: app.js alone in its folder
  app = await mkdtemp(join(tmpdir(), 'margin-core-app-'));
  await writeFile(join(app, 'entry.js'), `export { createEngine } from ${JSON.stringify(join(root, 'dist', 'browser', 'esm', 'index.js'))};\n`);
  await esbuild.build({
    entryPoints: [join(app, 'entry.js')], outfile: join(app, 'app.js'), bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    external: ['node:*', 'piscina', 'ioredis', 'highs', 'apache-arrow'], logLevel: 'error',
  });
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\.\./g, '');
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    const file = path.startsWith('/app/') ? join(app, path.slice(5)) : path.startsWith('/sample/') ? join(root, 'data', path) : join(root, 'dist', 'browser', path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'text/javascript' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  base = await listenOnLoopback(server);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (app) await rm(app, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(countWorkers);
  await page.goto(base);
  await page.waitForFunction(() => (window as unknown as { pageReady?: true }).pageReady === true);
  return page;
}

test('the bundle without scale-worker.js beside it: createEngine rejects within seconds, naming the URL and the fix; no Worker is made again', async () => {
  const page = await openPage();
  const result = await page.evaluate(async () => {
    const { createEngine } = window as unknown as PageWindow;
    const book = await (await fetch('/sample/book.json')).json();
    const started = performance.now();
    // what the tester's page did; a call still pending after 15 s is the bug
    const outcome = await Promise.race([
      createEngine({ workers: 2 }).then((engine: { openShardedBook(b: unknown): Promise<unknown> }) => engine.openShardedBook(book)).then(() => 'resolved', (error: Error) => `rejected: ${error.message}`),
      new Promise((resolve) => setTimeout(() => resolve('still pending after 15 s'), 15_000)),
    ]);
    const ms = performance.now() - started;
    const w = window as unknown as { workersMade: string[] };
    const made = w.workersMade.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { outcome, ms, made, madeLater: w.workersMade.length, urls: [...new Set(w.workersMade)] };
  });
  const url = `${base}app/scale-worker.js`;
  // both workers fail; the first to report names itself (either, by a race)
  expect(String(result.outcome).replace(/web-worker-[01] /, 'web-worker-N ')).toBe(`rejected: margin-core: Web Worker web-worker-N did not start from ${url} (the script failed to load or threw): scale-worker.js not found beside the bundle or not served as JavaScript: copy dist/browser/scale-worker.js there (a .js file served as text/javascript), or pass workerUrl (docs/browser.md, "With a bundler")`);
  expect(result.ms).toBeLessThan(5000); // a 404 fails at once, not at the ready timeout
  expect(result.urls).toEqual([url]);
  expect(result.made).toBe(2); // one per pool
  expect(result.madeLater).toBe(2);
  expect(requests.get('/app/scale-worker.js')).toBe(2);
  await page.close();
});

test('workerUrl naming the served scale-worker.js: the sharded book has the single-thread engine’s bits', async () => {
  const page = await openPage();
  const result = await page.evaluate(async () => {
    const { createEngine } = window as unknown as PageWindow;
    /** The path of the first difference of a and b, numbers compared bit for bit (Object.is), or null. */
    function diff(a: unknown, b: unknown, path = '$'): string | null {
      if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : path;
      if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? null : path;
      const ka = Object.keys(a), kb = Object.keys(b);
      if (ka.join() !== kb.join()) return path + ' keys';
      for (const k of ka) {
        const d = diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path + '.' + k);
        if (d) return d;
      }
      return null;
    }
    try {
      const [book, market] = await Promise.all(['book.json', 'market.json'].map((f) => fetch('/sample/' + f).then((r) => r.json())));
      const single = await createEngine();
      const engine = await createEngine({ workers: 2, workerUrl: new URL('/scale-worker.js', location.href) });
      const sharded = await engine.openShardedBook(book);
      const diffs: Record<string, string | null> = {};
      let computedBy: unknown;
      for (const method of ['cross', 'portfolio', 'var']) {
        const report = await sharded.margin(market, { method });
        computedBy = report.computedBy;
        delete report.computedBy;
        diffs[method] = diff(report, single.margin(book, market, { method }));
      }
      const again = await createEngine({ workers: 2, workerUrl: '../scale-worker.js' }); // relative to the page: /scale-worker.js resolved from /
      const workers = again.workers;
      await again.close();
      // a call in flight when the engine closes settles
      const inFlight = sharded.margin(market, { method: 'portfolio' }).then(() => 'resolved', (error: Error) => `rejected: ${error.message}`);
      await engine.close();
      const afterClose = await Promise.race([inFlight, new Promise((resolve) => setTimeout(() => resolve('pending'), 5000))]);
      return { backend: engine.backend, diffs, computedBy, workers, afterClose, made: (window as unknown as { workersMade: string[] }).workersMade };
    } catch (error) {
      return { error: String((error as Error)?.stack ?? error) };
    }
  });
  expect(result.error).toBeUndefined();
  expect(result.backend).toBe('wasm-simd');
  expect(result.diffs).toEqual({ cross: null, portfolio: null, var: null });
  expect(result.computedBy).toEqual([{ worker: 'web-worker-0', backend: 'wasm-simd', shards: [0] }, { worker: 'web-worker-1', backend: 'wasm-simd', shards: [1] }].map((w) => expect.objectContaining(w)));
  expect(result.workers).toBe(2);
  expect(result.made).toEqual(Array(4).fill(`${base}scale-worker.js`));
  expect(result.afterClose).not.toBe('pending');
  expect(requests.get('/app/scale-worker.js')).toBe(2); // the first test's two; none here
  await page.close();
});

test('a workerUrl that is neither a string nor a URL is an InputError at its path; one that cannot load rejects naming it', async () => {
  const page = await openPage();
  // the same server under another name: another origin, whose script a page may not run as its worker
  const otherOrigin = `${base.replace('127.0.0.1', 'localhost')}scale-worker.js`;
  const result = await page.evaluate(async (otherOrigin) => {
    const { createEngine } = window as unknown as PageWindow;
    const error = (f: () => Promise<unknown>) => f().then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
    return {
      number: await error(() => createEngine({ workers: 2, workerUrl: 42 })),
      empty: await error(() => createEngine({ workers: 2, workerUrl: '' })),
      unparsed: await error(() => createEngine({ workers: 2, workerUrl: 'http://[bad' })),
      crossOrigin: await error(() => createEngine({ workers: 2, workerUrl: otherOrigin })),
      // what a Vite build makes of the default: a data: URL whose import cannot resolve
      inlined: await error(() => createEngine({ workers: 2, workerUrl: "data:text/javascript,import '../../scale-worker.js'" })),
      made: (window as unknown as { workersMade: string[] }).workersMade.length,
    };
  }, otherOrigin);
  expect(result.unparsed).toBe('InputError: invalid input: options.workerUrl: expected a URL (absolute, or relative to the page), got "http://[bad"');
  // the browser's SecurityError had come through bare; now the pool's rejection names the URL and the cause
  expect(result.crossOrigin).toMatch(/^Error: margin-core: Web Worker web-worker-\d did not start from http:\/\/localhost:\d+\/scale-worker\.js \(the browser refused it: .*; a Web Worker's script must be of the page's own origin\)/);
  expect(result.number).toBe('InputError: invalid input: options.workerUrl: expected a non-empty string or a URL, got 42');
  expect(result.empty).toBe('InputError: invalid input: options.workerUrl: expected a non-empty string or a URL, got ""');
  expect(result.inlined).toMatch(/^Error: margin-core: Web Worker web-worker-\d did not start from data:text\/javascript,import '\.\.\/\.\.\/scale-worker\.js' \(.*\): check that workerUrl serves dist\/browser\/scale-worker\.js/);
  expect(result.made).toBe(2);
  await page.close();
});

test(`a ready Web Worker that dies when its script is gone: ${MAX_FAILED_RESTARTS} replacements, then the call rejects`, async () => {
  const page = await openPage();
  const result = await page.evaluate(async () => {
    const { createEngine } = window as unknown as PageWindow;
    const w = window as unknown as { workersMade: string[]; breakWorkers?: boolean };
    const [book, market] = await Promise.all(['book.json', 'market.json'].map((f) => fetch('/sample/' + f).then((r) => r.json())));
    const engine = await createEngine({ workers: 2, workerUrl: '/scale-worker.js' });
    const sharded = await engine.openShardedBook(book);
    w.breakWorkers = true; // from now on, new Workers 404
    engine.shardTransport[Symbol.for('margin-core.test.crashDuringNextRun')](1);
    const started = performance.now();
    const outcome = await Promise.race([
      sharded.margin(market, { method: 'cross' }).then(() => 'resolved', (error: Error) => `rejected: ${error.message}`),
      new Promise((resolve) => setTimeout(() => resolve('still pending after 15 s'), 15_000)),
    ]);
    const ms = performance.now() - started;
    const made = w.workersMade.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await engine.close();
    return { outcome, ms, made, madeLater: w.workersMade.length };
  });
  expect(result.outcome).toMatch(/^rejected: margin-core: shard 1 failed 3 times \(last: margin-core: web-worker-1 died and 3 replacements in a row did not start \(last: margin-core: Web Worker web-worker-1 did not start from http:\/\/127\.0\.0\.1:\d+\/scale-worker\.js \(the script failed to load or threw\): check that workerUrl serves/);
  expect(result.ms).toBeLessThan(5000);
  expect(result.made).toBe(2 + MAX_FAILED_RESTARTS);
  expect(result.madeLater).toBe(2 + MAX_FAILED_RESTARTS);
  await page.close();
});

test('scale-worker.js copied beside the bundle: the default URL finds it', async () => {
  await copyFile(join(root, 'dist', 'browser', 'scale-worker.js'), join(app, 'scale-worker.js'));
  const page = await openPage();
  const result = await page.evaluate(async () => {
    const engine = await (window as unknown as PageWindow).createEngine({ workers: 2 });
    const health = await engine.shardTransport.health();
    await engine.close();
    return { workers: engine.workers, backends: health.workers.map((w: { backend: string }) => w.backend) };
  });
  expect(result).toEqual({ workers: 2, backends: ['wasm-simd', 'wasm-simd'] });
  await page.close();
});
