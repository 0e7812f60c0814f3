/**
 * Headless Chromium for the browser tests: Debian's `chromium` (or the binary CHROMIUM_PATH names), driven by
 * playwright-core, with the flags that keep it offline and quiet; and a loopback server's URL once it listens.
 */
import type { Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';

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
