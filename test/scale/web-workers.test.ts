/**
 * The worker pool in a browser: real headless Chromium (as test/browser.test.ts), the browser bundle, two Web Workers
 * each instantiating the module the page compiled. A sharded book's reports equal the single-process engine's in the
 * same page, bit for bit (compared there, number by number with Object.is), a stress test's Monte Carlo paths and
 * reverse-search probes on the workers too, and a Web Worker that dies mid-run is replaced and its shard re-run.
 */
import { testPage } from '../support/chromium.js';
import { expect, test } from 'vitest';

const PAGE = `<!doctype html><meta charset="utf-8"><title>margin-core web workers</title><pre id="out">loading…</pre>
<script type="module">
  import { createEngine } from './margin-core.js';
  /** The path of the first difference of a and b, numbers compared bit for bit (Object.is), or null. */
  function diff(a, b, path = '$') {
    if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : path;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? null : path;
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.join() !== kb.join()) return path + ' keys';
    for (const k of ka) { const d = diff(a[k], b[k], path + '.' + k); if (d) return d; }
    return null;
  }
  try {
    const [book, market] = await Promise.all(['book.json', 'market.json'].map((f) => fetch('/sample/' + f).then((r) => r.json())));
    const engine = await createEngine({ workers: 2 });
    const sharded = await engine.openShardedBook(book);
    const out = { backend: engine.backend, workers: engine.workers, diffs: {} };
    // a sharded report lists its workers (computedBy); its figures are the single-process report's
    const figures = (report) => { out.computedBy = report.computedBy; delete report.computedBy; return report; };
    for (const method of ['cross', 'portfolio', 'var']) out.diffs[method] = diff(figures(await sharded.margin(market, { method })), engine.margin(book, market, { method }));
    out.diffs.compare = diff(await sharded.compareMethods(market), engine.compareMethods(book, market));
    // the risk array split across the workers (ArrayBuffers, copied, where the page has no SharedArrayBuffer)
    const mc = { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200, seed: 4 } } };
    out.diffs.monteCarlo = diff(figures(await sharded.margin(market, mc)), engine.margin(book, market, mc));
    out.tableParts = sharded.lastRun.tableParts;
    out.shared = typeof SharedArrayBuffer === 'function';
    // a stress test's Monte Carlo paths and reverse-search probes on the Web Workers, each holding the whole book
    const stress = { reverse: { thresholdUsd: 100000 }, paths: 4, seed: 3 }, shock = { spot: { BTC: -0.25 } };
    const stressed = await sharded.stress(market, shock, stress);
    out.reverseEvaluations = stressed.reverse[0].evaluations;
    out.diffs.stress = diff(stressed, engine.stress(book, market, shock, stress));
    engine.shardTransport[Symbol.for('margin-core.test.crashDuringNextRun')](1);
    out.diffs.afterCrash = diff(figures(await sharded.margin(market, { method: 'portfolio' })), engine.margin(book, market, { method: 'portfolio' }));
    out.health = await engine.shardTransport.health();
    out.accounts = (await sharded.margin(market)).accounts.length;
    await sharded.release();
    await engine.close();
    window.result = out;
  } catch (error) {
    window.result = { error: String(error && error.stack || error) };
  }
  document.getElementById('out').textContent = JSON.stringify(window.result, null, 2);
</script>`;

const site = testPage(PAGE);

test('two Web Workers: reports equal the single-process engine’s bit for bit; a dead worker is replaced', async () => {
  const page = await site.browser.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
  expect(result.error).toBeUndefined();
  expect(result.backend).toBe('wasm-simd');
  expect(result.workers).toBe(2);
  expect(result.diffs).toEqual({ cross: null, portfolio: null, var: null, compare: null, monteCarlo: null, stress: null, afterCrash: null });
  expect(result.reverseEvaluations).toBeGreaterThan(10); // a scan and a bisection
  expect(result.tableParts).toBe(2);
  expect(result.shared).toBe(false); // the test page is not cross-origin isolated: the parts went as copied ArrayBuffers
  const health = result.health as { transport: string; workers: { backend: string }[]; recoveries: number };
  expect(health.transport).toBe('web-workers');
  expect(health.workers.map((w) => w.backend)).toEqual(['wasm-simd', 'wasm-simd']);
  // the last report's workers: the two Web Workers, one shard each
  expect(result.computedBy).toEqual([{ worker: 'web-worker-0', backend: 'wasm-simd', shards: [0] }, { worker: 'web-worker-1', backend: 'wasm-simd', shards: [1] }]);
  expect(health.recoveries).toBe(1);
  expect(result.accounts).toBe(302);
  await page.close();
});
