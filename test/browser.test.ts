/**
 * Browser smoke test in real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the browser bundle loads its WASM asynchronously, picks SIMD and prices options with the same
 * bits as Node. CI installs Chromium (.ci/run); a missing browser fails this test, by design.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { testPage } from './support/chromium.js';
import { expect, test } from 'vitest';
import { createEngine } from '../src/index.js';

const root = join(import.meta.dirname, '..');
const PAGE = `<!doctype html><meta charset="utf-8"><title>margin-core smoke</title>
<body><h1>margin-core browser smoke test</h1><pre id="out">loading…</pre>
<script type="module">
  import { createEngine } from './margin-core.js';
  const engine = await createEngine();
  const out = engine.greeks({
    isCall: Uint8Array.of(1, 0), spot: Float64Array.of(60, 100), strike: Float64Array.of(65, 95),
    expiryYears: Float64Array.of(0.25, 0.5), vol: Float64Array.of(0.3, 0.2), rate: Float64Array.of(0.08, 0.1),
    carry: Float64Array.of(0, 0.05),
  });
  window.result = { backend: engine.backend, price: Array.from(out.price), delta: Array.from(out.delta), vega: Array.from(out.vega) };
  document.getElementById('out').textContent = JSON.stringify(window.result, null, 2);
</script>`;

const site = testPage(PAGE);

test('the browser bundle prices options on WASM SIMD in Chromium, bit-identical to Node', async () => {
  const page = await site.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.url);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
  const result = await page.evaluate(() => (window as unknown as { result: { backend: string; price: number[]; delta: number[]; vega: number[] } }).result);
  expect(errors).toEqual([]);
  expect(result.backend).toBe('wasm-simd');
  expect(result.price[0]).toBeCloseTo(2.1334, 4); // Haug 1.1.1
  expect(result.price[1]).toBeCloseTo(2.4648, 4); // Haug 1.1.3
  const node = (await createEngine({ backend: 'js' })).greeks({
    isCall: Uint8Array.of(1, 0), spot: Float64Array.of(60, 100), strike: Float64Array.of(65, 95),
    expiryYears: Float64Array.of(0.25, 0.5), vol: Float64Array.of(0.3, 0.2), rate: Float64Array.of(0.08, 0.1), carry: Float64Array.of(0, 0.05),
  });
  expect(result.price).toEqual(Array.from(node.price));
  expect(result.vega).toEqual(Array.from(node.vega));
  await mkdir(join(root, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-artifacts', 'browser-smoke.png') });
  await page.close();
});
