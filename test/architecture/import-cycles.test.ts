/**
 * No import circles in src/ (type-only imports included): the data path model → layout → kernels → margin →
 * methods → session → engine only points one way. Tarjan's strongly connected components over relative imports.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { cycles, importGraph, sourceFiles } from '../support/import-graph.js';

const SRC = join(ROOT, 'src');

describe('module structure', () => {
  it('src/ has no import circles', () => {
    const graph = importGraph(sourceFiles(SRC));
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph).map((c) => c.map((f) => relative(SRC, f)).sort())).toEqual([]);
  });

  it('the graph follows dynamic imports (the engine starts its worker pool lazily)', () => {
    const graph = importGraph([join(SRC, 'engine.ts')]);
    expect(graph.get(join(SRC, 'engine.ts'))).toContain(join(SRC, 'scale/worker-transport.ts'));
  });

  it('the checker finds a circle when there is one', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(graph).map((c) => c.sort())).toEqual([['a', 'b', 'c']]);
  });

  it('the session and the engine name no method', () => {
    for (const file of ['session/session.ts', 'engine.ts']) {
      const code = readFileSync(join(SRC, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may name them
      expect(code, file).not.toMatch(/'(isolated|portfolio|var)'|portfolio|\bvar[A-Z]/);
    }
  });
});
