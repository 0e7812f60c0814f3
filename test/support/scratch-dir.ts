/**
 * Temporary directories for tests that write files: one fresh directory under the OS temp dir, removed with what is in
 * it once the file's tests end. Call it where vitest collects hooks (a file's top level or a describe block).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
