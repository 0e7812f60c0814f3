/**
 * A method folder is a package: src/methods/<name>/ imports its own files, the shared engines (src/methods/engines/:
 * rule-based, scenario-grid), the seam files beside the folders (src/methods/*.ts) and lower layers, never a sibling
 * method folder, statically or dynamically. An engine imports no method folder either.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { importGraph, sourceFiles } from '../support/import-graph.js';

const METHODS = join(ROOT, 'src', 'methods');

/** The package a file of src/methods/ belongs to: `portfolio`, `engines/rule-based`, or null for a seam file. */
function packageOf(file: string): string | null {
  const parts = relative(METHODS, file).split('/');
  if (parts[0].startsWith('..') || parts.length === 1) return null;
  return parts[0] === 'engines' ? `engines/${parts[1]}` : parts[0];
}

/** `file -> package` for every import from one package of src/methods/ into another that is not an engine. */
function siblingImports(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  for (const [file, targets] of graph) {
    const from = packageOf(file);
    if (from === null) continue;
    for (const target of targets) {
      const to = packageOf(target);
      if (to === null || to === from) continue;
      // a method may use an engine; an engine may use another engine; nothing imports a method folder
      if (to.startsWith('engines/')) continue;
      found.add(`${relative(METHODS, file)} -> ${to}`);
    }
  }
  return [...found].sort();
}

describe('a method folder imports no sibling method folder', () => {
  it('holds in src/methods/', () => {
    const folders = readdirSync(METHODS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders).toContain('engines');
    expect(siblingImports(importGraph(sourceFiles(METHODS)))).toEqual([]);
  });

  it('the check finds a method importing a sibling, and an engine importing a method', () => {
    const graph = new Map([
      [join(METHODS, 'deribit/run.ts'), [join(METHODS, 'portfolio/index.ts'), join(METHODS, 'engines/scenario-grid/run.ts'), join(METHODS, 'method.ts')]],
      [join(METHODS, 'engines/rule-based/method.ts'), [join(METHODS, 'cross/index.ts')]],
    ]);
    expect(siblingImports(graph)).toEqual(['deribit/run.ts -> portfolio', 'engines/rule-based/method.ts -> cross']);
  });
});
