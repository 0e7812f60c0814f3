/**
 * The browser benchmark (`node dist/bench.js browser`): the same calls in headless Chromium, on the browser build a
 * page imports, and in Node, on the Node build, each case in a fresh realm (a new browser with a fresh profile, a new
 * process) so first calls are first calls; WASM and the JS twin in the same run. Also the risk page (dist/web/): the
 * bytes it downloads and its time to the first result on the bundled sample. Writes bench/results/browser.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { generateSample } from '../src/sample/generate.js';
import { createEngine } from '../src/engine.js';
import { CASE_NAMES, type CaseName, type CaseOptions, type CaseRow, runCase } from './browser-cases.js';
import { browserSizes, type Budget, type Sizes } from './bundle-sizes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

export interface BrowserRow extends CaseRow {
  runtime: 'node' | 'chromium';
}

export interface PageLoad {
  /** `streamed`: the page as served (its .wasm streamed); `embedded`: the .wasm requests fail, the bytes in app.js serve. */
  variant: 'streamed' | 'embedded';
  /** Files the page fetched, with their size as served and gzipped (what a compressing server sends). */
  files: { path: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
  /** ms from navigation start: app.js downloaded, app.js running (parsed and compiled), the first margin run ended. */
  scriptLoadedMs: number;
  scriptRunningMs: number;
  firstResultMs: number;
  backend: string;
}

export interface BrowserBenchResult {
  date: string;
  /** The machine: cores × model. */
  cpus: string;
  /** The machine's 1-minute load average when the run started and when it ended (other jobs share its cores). */
  loadAverage: [number, number];
  node: string;
  chromium: string;
  options: number;
  accounts: number;
  rows: BrowserRow[];
  page: PageLoad[];
  /** What a page downloads of the library: the one-file build, a Greeks-only page's bundle, and their budget. */
  sizes: { bundle: Sizes; greeks: Sizes; budget: Budget };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm',
};

/** The folder holding dist/ (this file runs as dist/bench.js). */
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

/**
 * A loopback server of static files: `/` is `html`, other paths map through `mounts` (URL prefix → folder). Every
 * response is cross-origin isolated (COOP + COEP), which gives the page's performance.now() its finest resolution.
 */
async function staticServer(html: string | undefined, mounts: [string, string][]): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    if (html !== undefined && path === '/') {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.html'] }).end(html);
      return;
    }
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const base = mount?.[1];
    const file = mount && base ? normalize(join(base, path.slice(mount[0].length) || 'index.html')) : undefined;
    if (!file || !base || !file.startsWith(normalize(base) + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, server };
}

const CASE_PAGE = `<!doctype html><meta charset="utf-8"><title>margin-core browser benchmark</title>
<script type="module" src="./bench/page.js"></script>`;

type Playwright = typeof import('playwright-core');

async function loadPlaywright(): Promise<Playwright> {
  try {
    return await import('playwright-core');
  } catch {
    throw new Error('bench browser needs playwright-core (a devDependency: run it from a clone after npm ci)');
  }
}

/** A fresh headless Chromium (a new profile folder) for one page; closed and its profile removed after `use`. */
async function withChromium<T>(pw: Playwright, use: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'margin-core-bench-'));
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    return await use(page);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** One case in a fresh Node process running this bundle (`browser-case NAME OPTIONS ACCOUNTS`). */
function nodeCase(name: CaseName, options: Required<CaseOptions>): Promise<CaseRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'browser-case', name, String(options.options), String(options.accounts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as CaseRow[]) : reject(new Error(`browser-case ${name} exited with ${code}`))));
  });
}

/** The Node side of one case, in this process (the `browser-case` mode): its rows as one line of JSON. */
export async function nodeCaseMain(name: string, options: Required<CaseOptions>): Promise<CaseRow[]> {
  if (!CASE_NAMES.includes(name as CaseName)) throw new Error(`unknown case ${JSON.stringify(name)}; cases: ${CASE_NAMES.join(', ')}`);
  const json = async (file: string) => JSON.parse(await readFile(join(root, 'data', 'sample', file), 'utf8')) as unknown;
  return runCase(name as CaseName, {
    createEngine,
    sample: async () => ({ book: await json('book.json'), market: await json('market.json') }),
    generated: (accounts) => generateSample({ accounts, seed: 7 }),
  }, options);
}

async function chromiumCase(pw: Playwright, url: string, name: CaseName, options: Required<CaseOptions>): Promise<{ rows: CaseRow[]; version: string }> {
  return withChromium(pw, async (page) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?case=${name}&bundle=${encodeURIComponent(BUNDLE)}&options=${options.options}&accounts=${options.accounts}`);
    await page.waitForFunction(() => window.benchResult !== undefined || window.benchError !== undefined, undefined, { timeout: 900_000, polling: 200 });
    const { result, error, agent, isolated } = await page.evaluate(() => ({ result: window.benchResult, error: window.benchError, agent: navigator.userAgent, isolated: crossOriginIsolated }));
    if (error !== undefined || errors.length > 0) throw new Error(`chromium case ${name}: ${error ?? errors.join('; ')}`);
    if (!isolated) throw new Error('the benchmark page is not cross-origin isolated: its timer would be coarse');
    return { rows: result as CaseRow[], version: agent };
  });
}

/** The browser build the case page imports, relative to the page (served from dist/browser/). */
const BUNDLE = '/margin-core.js';

/** The risk page (dist/web/) from a fresh browser: bytes fetched, and the time to its first result on the sample. */
async function riskPageLoad(pw: Playwright, variant: PageLoad['variant']): Promise<PageLoad> {
  const web = join(root, 'dist', 'web');
  const { url, server } = await staticServer(undefined, [['/', web]]);
  try {
    return await withChromium(pw, async (page) => {
      const files: PageLoad['files'] = [];
      const pending: Promise<void>[] = [];
      page.on('response', (response) => {
        pending.push(response.body().then((body) => {
          files.push({ path: new URL(response.url()).pathname, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length });
        }, () => undefined));
      });
      if (variant === 'embedded') await page.route('**/*.wasm', (route) => route.abort());
      // Record when app.js starts running (it sets marginCorePage first) and when the page's first run ends (it bumps
      // marginCorePage.runs after each run, web/main.ts).
      await page.addInitScript(() => {
        const w = window as unknown as { marginCorePage?: { runs: number }; firstResultMs?: number; scriptRunningMs?: number };
        let state: { runs: number } | undefined;
        Object.defineProperty(w, 'marginCorePage', {
          configurable: true,
          get: () => state,
          set: (value: { runs: number }) => {
            w.scriptRunningMs ??= performance.now();
            state = new Proxy(value, {
              set(target, key, v) {
                if (key === 'runs' && v >= 1 && w.firstResultMs === undefined) w.firstResultMs = performance.now();
                return Reflect.set(target, key, v);
              },
            });
          },
        });
      });
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { firstResultMs?: number }).firstResultMs !== undefined, undefined, { timeout: 60_000 });
      const { firstResultMs, scriptRunningMs, scriptLoadedMs } = await page.evaluate(() => {
        const w = window as unknown as { firstResultMs: number; scriptRunningMs: number };
        const app = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/app.js')) as PerformanceResourceTiming;
        return { firstResultMs: w.firstResultMs, scriptRunningMs: w.scriptRunningMs, scriptLoadedMs: app.responseEnd };
      });
      const backend = (await page.textContent('#backend')) ?? '';
      await Promise.all(pending);
      files.sort((a, b) => b.bytes - a.bytes);
      return {
        variant, files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0),
        scriptLoadedMs, scriptRunningMs, firstResultMs, backend,
      };
    });
  } finally {
    server.close();
  }
}

export async function browserBench(options: Partial<CaseOptions> & { cases?: readonly CaseName[] } = {}): Promise<BrowserBenchResult> {
  const pw = await loadPlaywright();
  const loadAtStart = loadavg()[0];
  const opts: Required<CaseOptions> = { options: options.options ?? 1_000_000, accounts: options.accounts ?? 100_000 };
  const { url, server } = await staticServer(CASE_PAGE, [
    ['/bench/', join(root, 'dist', 'bench-browser')],
    ['/sample/', join(root, 'data', 'sample')],
    ['/', join(root, 'dist', 'browser')],
  ]);
  const rows: BrowserRow[] = [];
  let chromium = '';
  try {
    for (const name of options.cases ?? CASE_NAMES) {
      process.stderr.write(`browser bench: ${name}\n`);
      // Node then Chromium, case by case: both sides of a case see the machine at nearly the same moment
      for (const row of await nodeCase(name, opts)) rows.push({ ...row, runtime: 'node' });
      const browser = await chromiumCase(pw, url, name, opts);
      chromium = browser.version;
      for (const row of browser.rows) rows.push({ ...row, runtime: 'chromium' });
    }
  } finally {
    server.close();
  }
  const page = [await riskPageLoad(pw, 'streamed'), await riskPageLoad(pw, 'embedded')];
  // the browser's full version (its user agent reduces it to the major one)
  chromium = /\d+(\.\d+)+/.exec(execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }))?.[0] ?? chromium;
  return { date: new Date().toISOString(), cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, loadAverage: [loadAtStart, loadavg()[0]], node: process.version, chromium, ...opts, rows, page, sizes: await browserSizes(root) };
}

/** The cases `bench browser` runs (all unless `--cases a,b` chose some; `none`: the risk page alone). */
let chosenCases: readonly CaseName[] = CASE_NAMES;

/** `--cases LIST` of `bench browser`: a usage error (exit 2) names an unknown case. */
export function chooseBrowserCases(list: string): void {
  const names = list === 'none' ? [] : list.split(',');
  const unknown = names.find((c) => !CASE_NAMES.includes(c as CaseName));
  if (unknown !== undefined) {
    console.error(`bench browser: unknown case ${JSON.stringify(unknown)}; the cases are ${CASE_NAMES.join(', ')}, or none`);
    process.exit(2);
  }
  chosenCases = names as CaseName[];
}

/** The cases chosen for this run. */
export const browserCases = (): readonly CaseName[] => chosenCases;
