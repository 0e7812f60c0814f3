/**
 * GET /metrics: Prometheus text exposition (prom-client), names after prometheus.io/docs/practices/naming: one
 * `margincore_` prefix, base units in the name (seconds, USD), `_total` on counters, `_info` for the build. The book's
 * figures (accounts by status, IM and MM totals in USD) are the report's totals, read from the live columns when
 * scraped, one pass over the accounts, and kept until the book changes. Node's process metrics (`process_*`, `nodejs_*`, event-loop lag among
 * them) come with prom-client's defaults.
 */
import type { Registry } from 'prom-client';
import type { LiveSession } from '../live/live-session.js';
import { STATUS } from '../margin/status.js';

/** Latency buckets, seconds: 50 µs to 5 s (a what-if answers in tens of µs, a tick on a big book in a fraction of a second). */
const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** A request answered: its route (the route's pattern, never the raw URL), method, status and duration. */
  request(method: string, route: string, status: number, seconds: number): void;
  whatIf(seconds: number): void;
  /** The book changed (fills, transfers, tick): the book's figures are read again at the next scrape. */
  changed(kind: 'fills' | 'transfers' | 'tick', items: number, statusChanges: readonly { to: string }[]): void;
  streams(open: number): void;
}

/** The service's metrics (prom-client is loaded here, when a service starts: the CLI's other commands never load it). */
export async function serviceMetrics(live: LiveSession, version: string): Promise<ServiceMetrics> {
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'margincore_http_request_duration_seconds', help: 'HTTP requests by route, method and status: time from the request received to the answer sent',
    labelNames: ['route', 'method', 'status_code'], buckets: BUCKETS, registers: [registry],
  });
  const whatIfs = new Histogram({ name: 'margincore_whatif_duration_seconds', help: 'What-if computations (POST /what-if): engine time, validation included', buckets: BUCKETS, registers: [registry] });
  const ticks = new Counter({ name: 'margincore_ticks_applied_total', help: 'Market ticks applied', registers: [registry] });
  const fills = new Counter({ name: 'margincore_fills_applied_total', help: 'Fills applied (each fill of a batch)', registers: [registry] });
  const transfers = new Counter({ name: 'margincore_transfers_applied_total', help: 'Deposits and withdrawals applied (each of a batch)', registers: [registry] });
  const changes = new Counter({ name: 'margincore_status_changes_total', help: 'Status changes (accounts, and pools under the cross policy), by the status entered', labelNames: ['to'], registers: [registry] });
  const streams = new Gauge({ name: 'margincore_event_streams', help: 'Open event streams (GET /events)', registers: [registry] });
  const started = Date.now();
  let lastTick = started;
  new Gauge({
    name: 'margincore_last_tick_age_seconds', help: 'Seconds since the last market tick was applied (since the service started, before the first)', registers: [registry],
    collect() {
      this.set((Date.now() - lastTick) / 1000);
    },
  });
  new Gauge({ name: 'margincore_build_info', help: 'The running build: package version, margin method and kernel backend', labelNames: ['version', 'method', 'backend'], registers: [registry] })
    .set({ version, method: live.method, backend: live.backend }, 1);
  // the book's figures, read once per change of the book
  let figures: BookFigures | null = null;
  const book = () => (figures ??= bookFigures(live));
  new Gauge({
    name: 'margincore_accounts', help: 'Accounts of the live book by status (count): the report\'s totals.byStatus', labelNames: ['status'], registers: [registry],
    collect() {
      const f = book();
      STATUS.forEach((status, code) => this.set({ status }, f.byStatus[code]));
    },
  });
  new Gauge({ name: 'margincore_initial_margin_usd', help: 'Initial margin of the live book, USD: the report\'s totals.im (accounts not in status error; a coin-margined account\'s IM at its coin\'s index price)', registers: [registry], collect() {
    this.set(book().im);
  } });
  new Gauge({ name: 'margincore_maintenance_margin_usd', help: 'Maintenance margin of the live book, USD: the report\'s totals.mm (accounts not in status error; a coin-margined account\'s MM at its coin\'s index price)', registers: [registry], collect() {
    this.set(book().mm);
  } });
  // one child per (route, method, status): prom-client hashes a label set on every observe otherwise
  const byLabels = new Map<string, { observe(seconds: number): void }>();
  return {
    registry,
    request(method, route, status, seconds) {
      const key = `${route} ${method} ${status}`;
      let child = byLabels.get(key);
      if (!child) byLabels.set(key, (child = requests.labels({ route, method, status_code: String(status) })));
      child.observe(seconds);
    },
    whatIf: (seconds) => whatIfs.observe(seconds),
    changed(kind, items, statusChanges) {
      figures = null;
      if (kind === 'tick') {
        ticks.inc();
        lastTick = Date.now();
      } else (kind === 'fills' ? fills : transfers).inc(items);
      for (const change of statusChanges) changes.inc({ to: change.to });
    },
    streams: (open) => streams.set(open),
  };
}

interface BookFigures {
  byStatus: Float64Array;
  im: number;
  mm: number;
}

/**
 * Accounts by status and the IM and MM sums in USD: the report's own totals (src/margin/build-report.ts buildTotals:
 * status error excluded, a coin-margined account's figures converted at its coin's index price, exact sums), so
 * the metrics and GET /report's totals are the same numbers.
 */
function bookFigures(live: LiveSession): BookFigures {
  const totals = live.reportParts.totals();
  return { byStatus: Float64Array.from(STATUS, (status) => totals.byStatus[status]), im: totals.im, mm: totals.mm };
}
