/**
 * Headless Chromium for the browser tests: Debian's `chromium` (or the binary CHROMIUM_PATH names), driven by
 * playwright-core, with the flags that keep it offline and quiet; and a loopback server's URL once it listens.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Starts `server` on a free loopback port and returns its base URL (`http://127.0.0.1:PORT/`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
}

/**
 * Headless Chromium and a loopback server for a test page, both started before the file's tests and stopped after
 * them (call it at a file's top level): `/` serves `html`, `/sample/*` the bundled sample (data/sample/), any other
 * path the browser bundle's files (dist/browser/). Read `browser` and `url` inside the tests.
 */
export function testPage(html: string): { readonly browser: Browser; readonly url: string } {
  const root = join(import.meta.dirname, '..', '..');
  let server: Server | undefined;
  const state = { browser: undefined as unknown as Browser, url: '' };
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const path = (req.url ?? '/').replace(/\.\./g, '');
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
        return;
      }
      const file = path.startsWith('/sample/') ? join(root, 'data', path) : join(root, 'dist', 'browser', path);
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'text/javascript' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    state.url = await listenOnLoopback(server);
    state.browser = await launchChromium();
  });
  afterAll(async () => {
    await state.browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });
  return state;
}
