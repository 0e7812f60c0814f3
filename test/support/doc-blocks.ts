/**
 * The code blocks of the README and docs/*.md, as the docs tests run them (test/docs/examples.test.ts from the
 * repository, test/package/installed.test.ts from the installed package). The HTML comments on the lines just before
 * a fence say how a block is run (docs/development.md, "Docs examples"):
 * - `<!-- not run: why -->`: left out (the reason is required);
 * - `<!-- run by FILE -->`: from the repository, FILE runs it (it must exist and name the page); from the install, it
 *   runs like any other block;
 * - `<!-- name: NAME -->`: other blocks of the page may continue it;
 * - `<!-- after: NAME -->`: the block continues the named block of the same page: that block's code (and what it
 *   continues) runs first in the same module, then the block's own, as a reader who pastes it after that block runs
 *   it: it may not declare or import again a name the named block has (`engine`, `book`), or it would not compile;
 * - `<!-- file: PATH -->`: a file the reader saves as PATH (beside the page's other blocks); later blocks import it
 *   (`./PATH` with `.js` for a `.ts` file), and it is not run by itself.
 * A block followed by a `text output` block must print exactly that.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** The HTML comments on the lines just before the fence, in order. */
  markers: string[];
  output?: string;
}

/** The README and every docs page, as paths from the repository's root. */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** The fenced blocks of a page, with the HTML comments on the lines before each and the `text output` block after it. */
export function blocksOf(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const code = lines.slice(i + 1, end).join('\n');
    const markers: string[] = [];
    for (let before = i - 1; before >= 0; before--) {
      const text = lines[before].trim();
      if (text === '' && markers.length === 0) continue;
      if (!/^<!--.*-->$/.test(text)) break;
      markers.unshift(text);
    }
    const lang = open[1];
    if (lang === 'text' && open[2] === 'output' && blocks.length > 0 && blocks[blocks.length - 1].output === undefined) {
      blocks[blocks.length - 1].output = code;
    } else {
      blocks.push({ file, line: i + 1, lang, code, markers });
    }
    i = end;
  }
  return blocks;
}

export const RUNNABLE = new Set(['ts', 'js', 'sh', 'bash']);

/** The value of a block's `<!-- key: value -->` marker, if it has one. */
export function markerValue(block: Block, key: 'not run' | 'name' | 'after' | 'file'): string | undefined {
  for (const m of block.markers) {
    const match = new RegExp(`^<!-- ${key}: (.+?) -->$`).exec(m);
    if (match) return match[1];
  }
  return undefined;
}

/** The test a `<!-- run by FILE -->` marker names. */
export function runBy(block: Block): string | undefined {
  for (const m of block.markers) {
    const match = /^<!-- run by (\S+) -->$/.exec(m);
    if (match) return match[1];
  }
  return undefined;
}

export const isShell = (block: Block): boolean => block.lang === 'sh' || block.lang === 'bash';

/**
 * A ts/js block's program: the code of the blocks it continues (`after:`), first, then its own, as one module (so a
 * block pasted after the one it continues compiles: it declares no name again), with every import line moved to the
 * top; importing a name the continued block imports is refused.
 */
export function programOf(block: Block, page: readonly Block[]): { imports: string[]; body: string } {
  const chain: Block[] = [];
  for (let b: Block | undefined = block; b !== undefined;) {
    if (chain.includes(b)) throw new Error(`${block.file}:${block.line}: the after: markers go round in a circle`);
    chain.unshift(b);
    const after = markerValue(b, 'after');
    if (after === undefined) break;
    b = page.find((p) => markerValue(p, 'name') === after);
    if (b === undefined) throw new Error(`${block.file}:${block.line}: after: ${after} names no block of the page (<!-- name: ${after} -->)`);
  }
  const imports: string[] = [];
  /** Named imports by module, merged: two blocks may each import `createEngine` from 'margin-core'. */
  const named = new Map<string, string[]>();
  const body: string[] = [];
  for (const b of chain) {
    const parts = splitImports(b.code);
    for (const statement of parts.imports) {
      const m = /^import\s+(type\s+)?\{([^}]*)\}\s*from\s*(['"][^'"]+['"]);?\s*(\/\/.*)?$/s.exec(statement);
      if (!m) {
        if (!imports.includes(statement)) imports.push(statement);
        continue;
      }
      const names = named.get(m[3]) ?? [];
      for (const part of m[2].split(',').map((n) => n.trim()).filter(Boolean)) {
        const name = m[1] && !part.startsWith('type ') ? `type ${part}` : part;
        // a reader pastes the block after the one it continues: importing a name again would not compile there
        if (names.includes(name)) throw new Error(`${block.file}:${block.line}: imports ${name} from ${m[3]} again (the block it continues imports it)`);
        names.push(name);
      }
      named.set(m[3], names);
    }
    body.push(parts.body);
  }
  for (const [from, names] of named) imports.push(`import { ${names.join(', ')} } from ${from};`);
  return { imports, body: body.join('\n') };
}

/** Import statements (each may span lines, up to its `from '…';`) and the rest of the code. */
function splitImports(code: string): { imports: string[]; body: string } {
  const lines = code.split('\n');
  const imports: string[] = [];
  const body: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^import\s/.test(lines[i])) {
      body.push(lines[i]);
      continue;
    }
    let statement = lines[i];
    while (!/from\s+['"][^'"]+['"];?\s*(\/\/.*)?$/.test(statement) && !/^import\s+['"][^'"]+['"];?/.test(statement) && i + 1 < lines.length) statement += `\n${lines[++i]}`;
    imports.push(statement);
  }
  return { imports, body: body.join('\n') };
}

/** A sh block's commands: continuation lines joined, prompts and comment-only lines dropped. */
export function commandsOf(code: string): { command: string; exit: number; background: boolean }[] {
  const joined = code.replace(/\\\n\s*/g, ' ').split('\n');
  const out: { command: string; exit: number; background: boolean }[] = [];
  for (const raw of joined) {
    const line = raw.replace(/^\$\s+/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const comment = line.indexOf(' #');
    const exit = comment >= 0 ? Number(/exits? (\d)/.exec(line.slice(comment))?.[1] ?? 0) : 0;
    const command = comment >= 0 ? line.slice(0, comment).trim() : line;
    const background = command.endsWith('&') && !command.endsWith('&&');
    out.push({ command: background ? command.slice(0, -1).trim() : command, exit, background });
  }
  return out;
}

/** Every runnable block of the README and the docs, page by page. */
export function docBlocks(root: string): Block[] {
  return markdownFiles(root).flatMap((f) => blocksOf(f, readFileSync(join(root, f), 'utf8'))).filter((b) => RUNNABLE.has(b.lang));
}
