// What `npm test` needs beyond Node, checked before the suite starts: Chromium (the browser tests) and redis-server
// (the Redis Streams cluster tests). Missing ones are installed with apt-get when this runs as root on a Debian-like
// machine; otherwise it stops with one line naming the packages to install, before any test runs.
//   node scripts/prerequisites.mjs
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable `name` on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return undefined;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = [];
if (!executable(chromium)) missing.push({ package: 'chromium', what: `chromium (the browser tests; not at ${chromium}, and CHROMIUM_PATH can name another binary)` });
if (!onPath('redis-server')) missing.push({ package: 'redis-server', what: 'redis-server (the cluster tests; not on PATH)' });
if (missing.length === 0) process.exit(0);

const packages = missing.map((m) => m.package);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (root && onPath('apt-get') && process.platform === 'linux') {
  process.stderr.write(`npm test: installing ${packages.join(' and ')} with apt-get\n`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
    process.exit(0);
  } catch {
    process.stderr.write(`npm test: apt-get could not install ${packages.join(' and ')}\n`);
    process.exit(1);
  }
}
process.stderr.write(`npm test needs ${missing.map((m) => m.what).join(' and ')}: sudo apt-get install ${packages.join(' ')}\n`);
process.exit(1);
