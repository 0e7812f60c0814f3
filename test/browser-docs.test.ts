/**
 * docs/browser.md's benchmark tables are generated, never typed: they are what scripts/browser-table.mjs renders from
 * bench/results/browser.json (the browser benchmark's committed results).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

it('docs/browser.md holds the tables of bench/results/browser.json', () => {
  const check = () => execFileSync(process.execPath, [join(root, 'scripts', 'browser-table.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  expect(check).not.toThrow();
});
