/**
 * No import circles in src/ (type-only imports included): the data path model → layout → kernels → margin →
 * methods → session → engine only points one way. Tarjan's strongly connected components over relative imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') && !path.endsWith('.generated.ts') ? [path] : [];
  });
}

/**
 * Relative imports and re-exports of each file (`import … from './x.js'`, `export … from`, `import './x.js'`) and its
 * dynamic imports (`await import('./x.js')`): a lazy import closes a circle as surely as a static one.
 */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) =>
      resolve(dirname(file), (m[1] ?? m[2]).replace(/\.js$/, '.ts')),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

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

  it('the shared margin core, the kernels and the layout import no method, session or engine', () => {
    const graph = importGraph(sourceFiles(SRC));
    const layer = (f: string) => relative(SRC, f).split('/')[0];
    const offending: string[] = [];
    for (const [file, targets] of graph) {
      if (!['margin', 'kernels', 'layout', 'model'].includes(layer(file))) continue;
      for (const t of targets) if (['methods', 'profiles', 'session', 'engine.ts', 'cli', 'report'].includes(layer(t))) offending.push(`${relative(SRC, file)} → ${relative(SRC, t)}`);
    }
    expect(offending).toEqual([]);
  });

  it('the session and the engine name no method', () => {
    for (const file of ['session/session.ts', 'engine.ts']) {
      const code = readFileSync(join(SRC, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may name them
      expect(code, file).not.toMatch(/'(isolated|portfolio|var)'|portfolio|\bvar[A-Z]/);
    }
  });
});
