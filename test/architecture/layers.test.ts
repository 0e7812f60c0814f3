/**
 * The layer contract (etc/layers.json): every folder of src/ has a layer, and a module imports only its own layer or
 * lower ones, statically or dynamically. The few imports that still run up are listed there by file and folder; a new
 * one fails, and so does a listed one that is gone (the list only shrinks). docs/architecture.md draws the same map.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { importGraph, sourceFiles } from '../support/import-graph.js';

interface LayerMap {
  layers: { name: string; what: string; folders: string[] }[];
  upward: { edges: string[] };
}

const SRC = join(ROOT, 'src');
const MAP = JSON.parse(readFileSync(join(ROOT, 'etc/layers.json'), 'utf8')) as LayerMap;

/** Folder (or top-level file) of src/ → its layer's rank, lowest 0. */
function ranks(map: LayerMap): Map<string, number> {
  const rank = new Map<string, number>();
  map.layers.forEach((layer, i) => layer.folders.forEach((f) => rank.set(f, i)));
  return rank;
}

/** `file -> folder` for every import of a layer above the importer's (targets outside src/, e.g. schemas, are data). */
function upwardEdges(graph: Map<string, string[]>, rank: Map<string, number>): string[] {
  const top = (path: string) => relative(SRC, path).split('/')[0];
  const found = new Set<string>();
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (relative(SRC, target).startsWith('..')) continue;
      const from = rank.get(top(file)), to = rank.get(top(target));
      if (from === undefined || to === undefined) throw new Error(`no layer for ${relative(SRC, from === undefined ? file : target)}`);
      if (to > from) found.add(`${relative(SRC, file)} -> ${top(target)}`);
    }
  }
  return [...found].sort();
}

/** The map as docs/architecture.md shows it, lowest layer last (data flows down). */
function layersDiagram(map: LayerMap): string {
  const width = Math.max(...map.layers.map((l) => l.name.length));
  const lines = [...map.layers].reverse().map((l) => `${l.name.padEnd(width)}  ${l.folders.map((f) => (f.endsWith('.ts') ? f : `${f}/`)).join(' ')}\n${' '.repeat(width)}  (${l.what})`);
  return ['```', ...lines, '```'].join('\n');
}

describe('the layer contract (etc/layers.json)', () => {
  const rank = ranks(MAP);

  it('gives every folder and top-level file of src/ exactly one layer', () => {
    const listed = MAP.layers.flatMap((l) => l.folders);
    expect(new Set(listed).size).toBe(listed.length);
    expect(readdirSync(SRC).filter((n) => !n.endsWith('.d.ts')).sort()).toEqual([...listed].sort());
  });

  it('no import runs up a layer but the listed ones, and every listed one still exists', () => {
    expect(upwardEdges(importGraph(sourceFiles(SRC)), rank)).toEqual([...MAP.upward.edges].sort());
  });

  it('the check finds an upward import, a dynamic one included', () => {
    const graph = new Map([[join(SRC, 'margin/a.ts'), [join(SRC, 'session/b.ts')]], [join(SRC, 'session/c.ts'), [join(SRC, 'margin/d.ts')]]]);
    expect(upwardEdges(graph, rank)).toEqual(['margin/a.ts -> session']);
    const lazy = importGraph([join(SRC, 'engine.ts')]);
    expect(lazy.get(join(SRC, 'engine.ts'))).toContain(join(SRC, 'scale/worker-transport.ts'));
  });

  it('docs/architecture.md draws the same map', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const block = doc.slice(doc.indexOf('<!-- layers:begin -->') + '<!-- layers:begin -->'.length, doc.indexOf('<!-- layers:end -->')).trim();
    expect(block).toBe(layersDiagram(MAP));
  });
});
