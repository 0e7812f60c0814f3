/**
 * The Web Worker pool's start and restarts (src/scale/worker-transport.ts `startWebWorkers`), on a stand-in for the
 * browser's Worker in this process: each fake worker does what the test says (its script fails to load, it never
 * answers, it gets ready and answers, it dies later). A worker that never gets ready is not started again: the start
 * rejects naming the script's URL, with a bounded count of workers made; a ready worker that dies is replaced, at most
 * MAX_FAILED_RESTARTS failed replacements in a row; after close() no call stays pending. Chromium runs the real thing
 * (web-worker-url.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 10_000 });
import { MAX_FAILED_RESTARTS, startWebWorkers, WORKER_READY_TIMEOUT_MS } from '../../src/scale/worker-transport.js';

type Behaviour = 'ready' | 'load-error' | 'silent' | 'messageerror' | 'init-failed';

/** What the next workers made do, in order (the last repeats), and every worker made. */
let script: Behaviour[] = [];
let made: FakeWorker[] = [];

class FakeWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message?: string; preventDefault(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  readonly behaviour: Behaviour;

  constructor(readonly url: string, readonly options: { type: string; name: string }) {
    this.behaviour = script.length > 1 ? script.shift()! : script[0];
    made.push(this);
    // as a browser does: a script that does not load fails after the constructor returned
    if (this.behaviour === 'load-error') this.later(() => this.onerror?.({ preventDefault() {} }));
  }

  private later(f: () => void): void {
    setTimeout(() => {
      if (!this.terminated) f();
    }, 0);
  }

  postMessage(message: { init?: unknown; id?: number; request?: { op: string } }): void {
    if ('init' in message) {
      if (this.behaviour === 'ready') this.later(() => this.onmessage?.({ data: { ready: true } }));
      if (this.behaviour === 'messageerror') this.later(() => this.onmessageerror?.());
      if (this.behaviour === 'init-failed') this.later(() => this.onmessage?.({ data: { failed: 'CompileError: bad module' } }));
      return;
    }
    if (this.behaviour !== 'ready') return; // not started: it never answers
    this.later(() => this.onmessage?.({ data: { id: message.id, response: { id: this.options.name, shardsHeld: 0, backend: 'js', idleMs: 0 } } }));
  }

  /** An uncaught error in the worker, after it started. */
  die(): void {
    this.later(() => this.onerror?.({ message: 'Uncaught Error: boom', preventDefault() {} }));
  }

  terminate(): void {
    this.terminated = true;
  }
}

const URL_404 = 'http://127.0.0.1:9/app/scale-worker.js';

/** How a promise ended: its value, or its error's message. */
function settled<T>(promise: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; error?: string; value?: T } {
  const out: { state: 'pending' | 'resolved' | 'rejected'; error?: string; value?: T } = { state: 'pending' };
  promise.then((value) => Object.assign(out, { state: 'resolved', value }), (error: Error) => Object.assign(out, { state: 'rejected', error: error.message }));
  return out;
}

/** A pool of `count` started (the fake workers answer on timers, which the test moves). */
async function started(count: number, url?: string) {
  const start = startWebWorkers(count, undefined, undefined, url);
  await vi.advanceTimersByTimeAsync(0);
  return start;
}

beforeEach(() => {
  made = [];
  vi.stubGlobal('Worker', FakeWorker);
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('a Web Worker that does not start', () => {
  it('script fails to load (HTTP 404): the start rejects naming the URL and the cause; nothing is started again', async () => {
    script = ['load-error'];
    const start = settled(startWebWorkers(2, undefined, undefined, URL_404));
    await vi.advanceTimersByTimeAsync(0);
    expect(start.state).toBe('rejected');
    expect(start.error).toBe(`margin-core: Web Worker web-worker-0 did not start from ${URL_404} (the script failed to load or threw): check that workerUrl serves dist/browser/scale-worker.js of this margin-core version as JavaScript (docs/browser.md, "With a bundler")`);
    await vi.advanceTimersByTimeAsync(5 * WORKER_READY_TIMEOUT_MS);
    expect(made.length).toBe(2); // one per pool, never again
    expect(made.every((w) => w.terminated)).toBe(true);
  });

  it('the default URL beside the bundle: the message says to copy scale-worker.js there or pass workerUrl', async () => {
    script = ['load-error'];
    const start = settled(startWebWorkers(1, undefined, undefined));
    await vi.advanceTimersByTimeAsync(0);
    expect(start.error).toMatch(/did not start from file:\/\/\S*\/scale-worker\.js \(the script failed to load or threw\): scale-worker\.js not found beside the bundle or not served as JavaScript: copy dist\/browser\/scale-worker\.js there \(a \.js file served as text\/javascript\), or pass workerUrl/);
    expect(made.length).toBe(1);
  });

  it(`no ready message within ${WORKER_READY_TIMEOUT_MS} ms: the start rejects then, and the workers are stopped`, async () => {
    script = ['ready', 'silent'];
    const start = settled(startWebWorkers(2, undefined, undefined, URL_404));
    await vi.advanceTimersByTimeAsync(WORKER_READY_TIMEOUT_MS - 1);
    expect(start.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(start.state).toBe('rejected');
    expect(start.error).toContain(`did not start from ${URL_404} (no ready message within ${WORKER_READY_TIMEOUT_MS} ms; a page whose clock runs ahead of the worker, as a headless browser\'s virtual time budget does, can see this too)`);
    expect(made.length).toBe(2);
    expect(made.every((w) => w.terminated)).toBe(true); // the one that started too
  });

  it('a message it cannot read (messageerror), or an engine it could not make: the start rejects', async () => {
    script = ['messageerror'];
    const unread = settled(startWebWorkers(1, undefined, undefined, URL_404));
    await vi.advanceTimersByTimeAsync(0);
    expect(unread.error).toContain('(a message from it could not be read (messageerror))');
    script = ['init-failed'];
    const failed = settled(startWebWorkers(1, undefined, undefined, URL_404));
    await vi.advanceTimersByTimeAsync(0);
    expect(failed.error).toBe(`margin-core: Web Worker web-worker-0 (${URL_404}) could not start: CompileError: bad module`);
    expect(made.length).toBe(2);
  });

  it('a relative workerUrl resolves against the page; one that is no URL is a TypeError', async () => {
    vi.stubGlobal('location', { href: 'http://127.0.0.1:9/app/index.html' });
    script = ['ready'];
    const transport = await started(1, 'workers/scale-worker.js');
    expect(made[0].url).toBe('http://127.0.0.1:9/app/workers/scale-worker.js');
    await transport.close();
    vi.unstubAllGlobals();
    vi.stubGlobal('Worker', FakeWorker);
    await expect(startWebWorkers(1, undefined, undefined, 'relative/without/base.js')).rejects.toThrow(TypeError);
  });
});

describe('a Web Worker that dies after it was ready', () => {
  it('is replaced, and the calls go on', async () => {
    script = ['ready'];
    const transport = await started(1, URL_404);
    made[0].die();
    await vi.advanceTimersByTimeAsync(0);
    expect(made.length).toBe(2);
    const health = settled(transport.health());
    await vi.advanceTimersByTimeAsync(10);
    expect(health.state).toBe('resolved');
    await transport.close();
  });

  it(`replacements that do not start: ${MAX_FAILED_RESTARTS} in a row, then its calls reject`, async () => {
    script = ['ready', 'load-error'];
    const transport = await started(1, URL_404);
    made[0].die();
    await vi.advanceTimersByTimeAsync(0);
    const health = settled(transport.health()); // waits for a replacement, or finds the pool given up
    await vi.advanceTimersByTimeAsync(10);
    expect(health.state).toBe('rejected');
    expect(health.error).toMatch(new RegExp(`^margin-core: web-worker-0 died and ${MAX_FAILED_RESTARTS} replacements in a row did not start \\(last: margin-core: Web Worker web-worker-0 did not start from ${URL_404.replace(/\./g, '\\.')}`));
    await vi.advanceTimersByTimeAsync(5 * WORKER_READY_TIMEOUT_MS);
    expect(made.length).toBe(1 + MAX_FAILED_RESTARTS);
    await expect(transport.health()).rejects.toThrow(/replacements in a row did not start/); // later calls too
    await transport.close();
  });

  it('a replacement that never answers: close() rejects the call waiting for it', async () => {
    script = ['ready', 'silent'];
    const transport = await started(1, URL_404);
    made[0].die();
    await vi.advanceTimersByTimeAsync(0);
    const health = settled(transport.health());
    await vi.advanceTimersByTimeAsync(WORKER_READY_TIMEOUT_MS / 2);
    expect(health.state).toBe('pending');
    await transport.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(health).toMatchObject({ state: 'rejected', error: 'margin-core: the worker pool was closed' });
    // a call after close: the engine's closed error, naming what was stopped
    await expect(transport.health()).rejects.toThrow('the engine was closed: its Web Workers are stopped');
    await vi.advanceTimersByTimeAsync(5 * WORKER_READY_TIMEOUT_MS);
    expect(made.length).toBe(2);
  });
});
