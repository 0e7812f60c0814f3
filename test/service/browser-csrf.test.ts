/**
 * A web page of another origin, open in headless Chromium on the operator's machine, tries to reprice BTC to 1,000 on
 * the local service the ways a page can without reading the answer: a no-cors `fetch` of a text/plain tick, a form
 * posting text/plain (the classic JSON CSRF), `sendBeacon`, a CORS fetch of JSON (preflighted), an image load of the
 * report. Against the service with its token and against one started with --no-auth (the Origin check alone), every
 * attempt reaches the service (its request log shows each refused) and the book is unchanged.
 */
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, listenOnLoopback } from '../support/chromium.js';
import { call, type Served, serve } from './helpers.js';

const TICK = JSON.stringify({ assets: { BTC: { price: 1_000 } } });

/** The attacker's page: every attempt, then `window.done`. */
function page(service: string): string {
  return `<!doctype html><meta charset="utf-8"><title>another origin</title><body>
<iframe name="sink" style="display:none"></iframe>
<form id="form" method="POST" action="${service}/tick" enctype="text/plain" target="sink">
  <input name='{"assets":{"BTC":{"price":1000}},"x":"' value='"}'>
</form>
<img id="img" src="${service}/report">
<script>
  (async () => {
    const attempts = [];
    const note = (name, p) => attempts.push(p.then(() => name + ': sent', (e) => name + ': ' + e.message));
    note('no-cors text/plain fetch', fetch('${service}/tick', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(TICK)} }));
    note('no-cors fetch without a type', fetch('${service}/tick', { method: 'POST', mode: 'no-cors', body: ${JSON.stringify(TICK)} }));
    note('cors json fetch', fetch('${service}/tick', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(TICK)} }));
    note('beacon', Promise.resolve(navigator.sendBeacon('${service}/tick', ${JSON.stringify(TICK)})));
    document.getElementById('form').submit();
    window.results = await Promise.all(attempts);
    await new Promise((r) => setTimeout(r, 1500)); // the form's and the beacon's requests
    window.done = true;
  })();
</script>`;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

for (const mode of ['with its token', 'with --no-auth'] as const) {
  describe(`the service ${mode}`, () => {
    let s: Served;
    let site: Server;
    let siteUrl: string;
    beforeAll(async () => {
      s = await serve(mode === 'with --no-auth' ? ['--no-auth'] : []);
      site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page(s.url)));
      siteUrl = await listenOnLoopback(site);
    });
    afterAll(async () => {
      await new Promise((resolve) => site?.close(resolve));
      await s?.stop();
    });

    it('refuses every attempt of a page of another origin to tick, and changes nothing', async () => {
      expect(new URL(siteUrl).origin).not.toBe(new URL(s.url).origin);
      const before = (await call(s.url, 'GET', '/report')).json;
      const tab = await browser.newPage();
      try {
        await tab.goto(siteUrl);
        await tab.waitForFunction(() => (window as unknown as { done?: boolean }).done === true, undefined, { timeout: 30_000 });
        const results = await tab.evaluate(() => (window as unknown as { results: string[] }).results);
        expect(results).toContain('cors json fetch: Failed to fetch'); // the preflight was refused
      } finally {
        await tab.close();
      }
      const after = (await call(s.url, 'GET', '/report')).json;
      expect(after).toEqual(before);
      expect(after.accounts.find((a: { id: string }) => a.id === 'long').equity).toBe(40_000);
      // each attempt reached the service and was refused there (not merely unsent by the browser)
      const lines = s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { method: string; route: string; status: number });
      const ticks = lines.filter((l) => l.route === '/tick');
      expect(ticks.filter((l) => l.method === 'POST' && l.status === 403).length).toBeGreaterThanOrEqual(4); // two fetches, the form, the beacon
      const preflights = lines.filter((l) => l.method === 'OPTIONS'); // no route takes OPTIONS: refused before routing
      expect(preflights.length).toBeGreaterThanOrEqual(1);
      expect(preflights.every((l) => l.status === 403)).toBe(true);
      expect(ticks.every((l) => l.status >= 400)).toBe(true);
      expect(lines.some((l) => l.route === '/report' && l.status === 403)).toBe(true); // the image
    });
  });
}
