/**
 * No merge leftovers in the sources and docs: a conflict marker once shipped in the README's command list after a
 * merge. Every text file under the tracked top-level folders and the top-level documents is scanned.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const FOLDERS = ['src', 'assembly', 'bench', 'test', 'web', 'scripts', 'docs', 'schemas', '.ci'];
const TEXT = /\.(ts|mts|mjs|js|json|md|html|css|sh)$|^run$/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.test(name)) yield path;
  }
}

it('no file holds a merge conflict marker', () => {
  const paths = [...FOLDERS.flatMap((f) => [...files(join(root, f))]), join(root, 'README.md'), join(root, 'package.json')];
  expect(paths.length).toBeGreaterThan(100);
  const marker = /^(<{7}|>{7}|={7})( |$)/m;
  expect(paths.filter((p) => marker.test(readFileSync(p, 'utf8'))).map((p) => p.slice(root.length + 1))).toEqual([]);
});
