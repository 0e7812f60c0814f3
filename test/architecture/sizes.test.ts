/**
 * Code a newcomer can read: no source file over 500 lines, no function over 80 (counted with the TypeScript
 * parser: declarations, methods, constructors, arrow functions and function expressions, from the first line of the
 * declaration to its last).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 79; // under 80

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.generated.ts') ? [path] : [];
  });
}

/** Every function of a file with its length in lines. */
export function functionLengths(file: string, text: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as ts.FunctionLikeDeclaration).name;
      const name = named ? named.getText(source) : ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
      out.push({ name: `${file}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('sizes', () => {
  const files = sources('src');

  it(`no file in src/ has more than ${MAX_FILE_LINES} lines`, () => {
    const long = files.map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length })).filter((x) => x.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`no function in src/ has more than ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files.flatMap((f) => functionLengths(f, readFileSync(join(ROOT, f), 'utf8'))).filter((x) => x.lines > MAX_FUNCTION_LINES);
    expect(long.sort((a, b) => b.lines - a.lines)).toEqual([]);
  });
});
