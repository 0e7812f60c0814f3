/**
 * Arrow books and reports in the browser (headless Chromium): the browser build (dist/browser/esm/, the package's
 * `browser` entries `margin-core` and `margin-core/io`) imports apache-arrow on first use
 * (resolved here by an import map, as an application's bundler would), reads an Arrow book fetched as bytes, margins
 * it to the report Node gives for the same book as JSON, and writes the report as Arrow IPC.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createEngine, generateSample } from '../../src/index.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { launchChromium, listenOnLoopback } from '../support/chromium.js';

const root = join(import.meta.dirname, '..', '..');
const sample = generateSample({ accounts: 300, seed: 23, positionsPerAccount: 4 });
const PAGE = `<!doctype html><meta charset="utf-8"><title>margin-core arrow</title>
<script type="importmap">{ "imports": {
  "apache-arrow": "/nm/apache-arrow/Arrow.dom.mjs",
  "flatbuffers": "/nm/flatbuffers/mjs/flatbuffers.js",
  "json-with-bigint": "/nm/json-with-bigint/json-with-bigint.js",
  "tslib": "/nm/tslib/tslib.es6.mjs"
} }</script>
<script type="module">
  import { createEngine } from '/esm/index.js';
  import { readArrowBook, writeArrowReport, columnarReport } from '/esm/io.js';
  try {
    const engine = await createEngine();
    const bytes = new Uint8Array(await (await fetch('/book.arrow')).arrayBuffer());
    const market = await (await fetch('/market.json')).json();
    const book = await readArrowBook(bytes);
    const report = engine.margin(book, market, { method: 'cross' });
    const arrow = await writeArrowReport(columnarReport(report));
    window.result = { report: JSON.stringify(report), arrowBytes: arrow.length, magic: String.fromCharCode(...arrow.subarray(0, 6)) };
  } catch (error) {
    window.result = { error: String(error && error.stack || error) };
  }
</script>`;

let server: Server | undefined;
let browser: Browser;
let url = '';
beforeAll(async () => {
  const book = await writeArrowBook(sample.book);
  server = createServer(async (req, res) => {
    const path = (req.url ?? '/').replace(/\.\./g, '');
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/book.arrow') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(book);
    if (path === '/market.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sample.market));
    const file = path.startsWith('/nm/') ? join(root, 'node_modules', path.slice(4)) : join(root, 'dist', 'browser', path);
    const body = await readFile(file).catch(() => undefined);
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
  });
  url = await listenOnLoopback(server);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test('an Arrow book margined in Chromium: the report Node gives for the JSON book; the report written as Arrow IPC', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => (window as unknown as { result: { report?: string; arrowBytes?: number; magic?: string; error?: string } }).result);
  expect(errors).toEqual([]);
  expect(result.error).toBeUndefined();
  const node = (await createEngine({ backend: 'wasm' })).margin(sample.book, sample.market, { method: 'cross' });
  expect(result.report).toBe(JSON.stringify(node));
  expect(result.magic).toBe('ARROW1');
  expect(result.arrowBytes).toBeGreaterThan(1000);
  await page.close();
});
