/**
 * Creates a folder and the missing ones above it, one level at a time. Node's own `mkdir(path, { recursive: true })`
 * never returns on some special file systems (a missing path under /proc spins at full CPU): here each level is one
 * plain `mkdir`, so such a path fails with its error (ENOENT) at once.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (found !== null) {
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR', path: at });
      break;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (let k = missing.length - 1; k >= 0; k--) {
    await mkdir(missing[k]).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error; // made meanwhile by another writer: fine
    });
  }
}
