// Screenshots of every view of the risk page, in headless Chromium (playwright-core), for checking by eye: overlaps,
// legibility, colours. Serves dist/web/ with `margin-core page`, drives the page through each view and writes PNGs to
// test-artifacts/screens/ (gitignored). Build first (`npm run build`).
//   node scripts/screenshots.mjs [--width 1366] [--height 900]
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-artifacts', 'screens');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const viewport = { width: arg('width', 1366), height: arg('height', 900) };

const server = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'page', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
    if (match) resolve(match[0]);
  });
  server.on('exit', (code) => reject(new Error(`margin-core page exited with ${code}: ${text}`)));
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const shots = [];
try {
  await mkdir(out, { recursive: true });
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const runs = () => page.evaluate(() => window.marginCorePage?.runs ?? 0);
  const settled = async (n) => page.waitForFunction((k) => (window.marginCorePage?.ready && window.marginCorePage.runs >= k), n, { timeout: 60_000 });
  const shot = async (name, locator) => {
    const path = join(out, `${name}.png`);
    if (locator) await page.locator(locator).screenshot({ path });
    else await page.screenshot({ path, fullPage: false });
    shots.push(path);
  };
  await page.goto(url);
  await settled(1);
  await shot('1-accounts');
  await page.fill('#search', 'distressed');
  await page.selectOption('#status-filter', 'liquidatable');
  await shot('2-search-and-filter');
  await page.fill('#search', '');
  await page.selectOption('#status-filter', '');
  await page.selectOption('#method', 'portfolio');
  await settled(2);
  await page.click('#accounts tr[data-id="market-maker-000033"]');
  await page.waitForFunction(() => window.marginCorePage?.explainJson !== undefined);
  await page.waitForFunction(() => window.marginCorePage?.hedgeJson !== undefined, null, { timeout: 60_000 });
  await shot('3-explain-portfolio', '#explain');
  await page.click('#accounts tr[data-id="distressed-000107"]');
  await page.waitForFunction(() => window.marginCorePage?.hedgeJson?.includes('distressed-000107'), null, { timeout: 60_000 });
  await shot('4-explain-bankrupt', '#explain');
  await page.click('#liquidate');
  await page.waitForFunction(() => window.marginCorePage?.liquidationJson !== undefined);
  await shot('5-liquidation', '#liquidation');
  await page.click('#stress');
  await page.waitForFunction(() => window.marginCorePage?.stressJson !== undefined, null, { timeout: 120_000 });
  await shot('6-stress-crash-path', '#stress-view');
  await page.click('#compare');
  await page.waitForFunction(() => window.marginCorePage?.compareJson !== undefined, null, { timeout: 120_000 });
  await shot('7-compare', '#compare-view');
  await page.click('#backtest');
  await page.waitForFunction(() => window.marginCorePage?.backtestJson !== undefined, null, { timeout: 120_000 });
  await shot('8-backtest', '#backtest-view');
  const before = await runs();
  await page.fill('#params', '{ "linear": { "BTC": [{ "upTo": null, "imRate": -1, "mmRate": 0.5 }] } ');
  await page.click('#run');
  await settled(before + 1);
  await shot('9-errors');
  const narrow = await browser.newPage({ viewport: { width: 800, height: 900 } });
  await narrow.goto(url);
  await narrow.waitForFunction(() => window.marginCorePage?.ready);
  const path = join(out, '10-narrow-800px.png');
  await narrow.screenshot({ path });
  shots.push(path);
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  server.kill();
}
process.stdout.write(`${shots.map((s) => `wrote ${s}`).join('\n')}\n`);
