/**
 * The calls the browser benchmark times, written once for both sides: the page (bench/browser-page.ts, on the browser
 * bundle in headless Chromium) and a fresh Node process (bench/browser.ts, `browser-case NAME`) run the same case on
 * the same inputs. Each case starts in a fresh realm (a new browser, a new process), so its first call is a real first
 * call: nothing compiled, tiered up or faulted in before it.
 */
import type { createEngine as CreateEngine, Engine, GreeksInput, GreeksOutput } from '../src/index.js';
import { benchOptions } from './options.js';

/** What a case needs from its side: the library as the side loads it, and the sample books. */
export interface CaseApi {
  createEngine: typeof CreateEngine;
  /** The bundled sample (data/sample/book.json, market.json) as JSON. */
  sample(): Promise<{ book: unknown; market: unknown }>;
  /** The generated book of `accounts` accounts (`margin-core generate`, seed 7) as JSON. */
  generated(accounts: number): { book: unknown; market: unknown };
}

/** One timed call: its first run in the realm, and the runs after (steady state). Times in ms. */
export interface CaseRow {
  case: string;
  call: string;
  backend: string;
  /** Items per call (options, accounts, what-ifs), for per-item figures. */
  items: number;
  /** The first call of the realm, then the second and the third. */
  first: number[];
  /** Median and slowest of the steady calls (after the first three). */
  median: number;
  max: number;
  /** How many steady calls. */
  calls: number;
  /** p99 of the steady calls (what-if latency). */
  p99?: number;
  /**
   * Node only: the process's CPU time (all its threads: the call's, the collector's and the compiler's) of the first
   * call and the median of the steady ones, ms. On a loaded machine it tells work from waiting for a core.
   */
  cpu?: { first: number; median: number };
}

export const GREEKS_OPTIONS = 1_000_000;
/** Steady calls after the first three (the "median of 25"). */
const GREEKS_CALLS = 25;

export type CaseName = 'greeks-into-wasm' | 'greeks-wasm' | 'greeks-into-js' | 'greeks-js' | 'margin-wasm' | 'margin-js';
export const CASE_NAMES: readonly CaseName[] = ['greeks-into-wasm', 'greeks-wasm', 'greeks-into-js', 'greeks-js', 'margin-wasm', 'margin-js'];

export interface CaseOptions {
  /** Accounts of the generated book (default 100,000). */
  accounts?: number;
  /** Options per Greeks call (default 1,000,000). */
  options?: number;
}

const now = () => performance.now();
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** The process's CPU time so far, ms, where the runtime tells it (Node), else undefined. */
function cpuMs(): number | undefined {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (typeof p?.cpuUsage !== 'function') return undefined;
  const { user, system } = p.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `call` 3 + `steady` times; the first three apart, the rest summarised. */
function timed(call: () => void, steady: number): Pick<CaseRow, 'first' | 'median' | 'max' | 'calls' | 'cpu'> {
  const times: number[] = [], cpu: number[] = [];
  for (let k = 0; k < 3 + steady; k++) {
    const c = cpuMs();
    const t = now();
    call();
    times.push(now() - t);
    if (c !== undefined) cpu.push(cpuMs()! - c);
  }
  const rest = sorted(times.slice(3));
  const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
  return {
    first: times.slice(0, 3), median: rest[Math.floor(rest.length / 2)], max: rest[rest.length - 1], calls: rest.length,
    ...(cpu.length > 0 ? { cpu: { first: cpu[0], median: median(cpu.slice(3)) } } : {}),
  };
}

export async function runCase(name: CaseName, api: CaseApi, options: CaseOptions = {}): Promise<CaseRow[]> {
  const backend = name.endsWith('-js') ? 'js' : 'wasm';
  const t = now();
  const engine = await api.createEngine({ backend });
  const created: CaseRow = { case: name, call: 'createEngine', backend: engine.backend, items: 1, first: [now() - t], median: NaN, max: NaN, calls: 0 };
  if (name.startsWith('greeks')) return [created, ...greeksCase(name, engine, options.options ?? GREEKS_OPTIONS)];
  return [created, ...(await marginCase(name, engine, api, options.accounts ?? 100_000))];
}

function greeksCase(name: CaseName, engine: Engine, n: number): CaseRow[] {
  const input: GreeksInput = benchOptions(n);
  let sink = 0;
  if (name.startsWith('greeks-into')) {
    const out: GreeksOutput = {
      price: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n), vega: new Float64Array(n), theta: new Float64Array(n), rho: new Float64Array(n),
    };
    // arrays a page has used before: the first call measures the library, not the first touch of fresh memory
    for (const column of Object.values(out)) column.fill(0);
    const r = timed(() => void engine.greeksInto(input, out), GREEKS_CALLS);
    return [{ case: name, call: 'engine.greeksInto', backend: engine.backend, items: n, ...r }];
  }
  const r = timed(() => {
    sink += engine.greeks(input).price[n - 1];
  }, GREEKS_CALLS);
  // What six fresh result arrays cost this runtime on their own: allocated and written once, like the call's outputs.
  const fresh = timed(() => {
    const arrays = Array.from({ length: 6 }, () => new Float64Array(n));
    for (const a of arrays) a.set(input.strike);
    sink += arrays[5][n - 1];
  }, GREEKS_CALLS);
  if (Number.isNaN(sink)) throw new Error('greeks returned NaN');
  return [
    { case: name, call: 'engine.greeks', backend: engine.backend, items: n, ...r },
    { case: name, call: 'six fresh Float64Array(n), written', backend: 'none', items: n, ...fresh },
  ];
}

async function marginCase(name: CaseName, engine: Engine, api: CaseApi, accounts: number): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  const row = (call: string, items: number, r: Pick<CaseRow, 'first' | 'median' | 'max' | 'calls' | 'cpu'>) =>
    rows.push({ case: name, call, backend: engine.backend, items, ...r });
  const books = [{ label: 'sample', ...(await api.sample()), steady: 15 }, { label: `generated ${accounts.toLocaleString('en-US')}`, ...api.generated(accounts), steady: 5 }];
  for (const b of books) {
    const count = (b.book as { accounts: unknown[] }).accounts.length;
    for (const method of ['cross', 'portfolio']) {
      // JSON in, report rows read (they are built on first read): what a page does with a dropped file
      row(`margin ${method}, ${b.label}`, count, timed(() => void engine.margin(b.book, b.market, { method }).accounts.length, b.steady));
    }
  }
  const generated = books[1];
  for (const method of ['cross', 'portfolio']) {
    const live = engine.live(generated.book, generated.market, { method });
    try {
      const ids = (generated.book as { accounts: { id: string }[] }).accounts.map((a) => a.id);
      const perp = (generated.book as { instruments: { id: string }[] }).instruments.find((i) => i.id.endsWith('-PERP'))!.id;
      const trades = [{ instrument: perp, quantity: 1 }];
      const whatIfs = Math.min(2_000, ids.length);
      const times: number[] = [];
      for (let k = 0; k < 3 + whatIfs; k++) {
        const id = ids[(k * 7919) % ids.length];
        const t = now();
        live.whatIf(id, trades);
        times.push(now() - t);
      }
      const rest = sorted(times.slice(3));
      rows.push({
        case: name, call: `what-if ${method}, ${generated.label}`, backend: engine.backend, items: 1, first: times.slice(0, 3),
        median: rest[Math.floor(rest.length / 2)], max: rest[rest.length - 1], p99: rest[Math.floor(rest.length * 0.99)], calls: rest.length,
      });
    } finally {
      live.release();
    }
  }
  return rows;
}
