/**
 * No dangling path: every relative link of the README, the docs and the changelog names a file that exists (and a
 * heading that exists, for `page.md#anchor`), and every repository path a source comment or doc mentions in code
 * font or plain text (`src/…/x.ts`, `docs/x.md`, …) exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path, ext));
    else if (ext.test(name)) out.push(path);
  }
  return out;
}

const MARKDOWN = ['README.md', 'CHANGELOG.md', ...filesUnder('docs', /\.md$/)];
const SOURCES = ['src', 'assembly', 'bench', 'scripts', 'test', 'web'].flatMap((d) => filesUnder(d, /\.(ts|mjs|js)$/)).filter((f) => !f.endsWith('.generated.ts'));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const explicit = line.matchAll(/<a id="([^"]+)"><\/a>/g);
    for (const m of explicit) anchors.add(m[1]);
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The link targets of a markdown text outside code blocks: `[text](target)` and `![alt](target)`. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) links.push({ target: m[1], line: i + 1 });
  });
  return links;
}

describe('links and paths', () => {
  it('every relative link of the README, the docs and the changelog resolves, anchors included', () => {
    const dangling: string[] = [];
    for (const file of MARKDOWN) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const { target, line } of linksOf(text)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const resolved = path === '' ? join(ROOT, file) : resolve(join(ROOT, dirname(file)), path);
        if (!existsSync(resolved)) {
          dangling.push(`${file}:${line}: ${target} (no such file)`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
          dangling.push(`${file}:${line}: ${target} (no heading #${anchor} in ${relative(ROOT, resolved)})`);
        }
      }
    }
    expect(dangling).toEqual([]);
  });

  it('every relative link of the README, the docs and the changelog stays inside what the package ships', () => {
    // the package's `files` (src/, assembly/, test/ … stay in the repository): a link to them dangles where the docs
    // are read from node_modules; such a file is named in code font instead
    const shipped = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files.filter((f) => !f.startsWith('!'));
    const outside: string[] = [];
    for (const file of MARKDOWN) {
      for (const { target, line } of linksOf(readFileSync(join(ROOT, file), 'utf8'))) {
        if (/^(https?:|mailto:)/.test(target) || target.startsWith('#')) continue;
        const path = relative(ROOT, resolve(join(ROOT, dirname(file)), target.split('#')[0])).split(sep).join('/');
        if (!shipped.some((f) => path === f || path.startsWith(`${f}/`))) outside.push(`${file}:${line}: ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('every repository path named in a source comment or a doc exists', () => {
    const PATH = /(?<![\w./-])((?:src|assembly|bench|test|docs|scripts|web|schemas|data)\/[\w./-]*\w\.(?:ts|mjs|js|md|json|c|sh))\b/g;
    const missing: string[] = [];
    for (const file of [...MARKDOWN, ...SOURCES]) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      text.split('\n').forEach((line, i) => {
        for (const m of line.matchAll(PATH)) {
          const path = m[1];
          // generated outputs and scratch paths are not repository files
          if (/^(dist|build)\//.test(path) || path.includes('*')) continue;
          // placeholders in usage lines: bench/results/MODE.json, docs/x.md
          if (/(^|\/)(?:[A-Z][A-Z_]+|x)(\.\w+)?$/.test(path.replace(/\.\w+$/, '')) || /\/[A-Z]+\.\w+$/.test(path)) continue;
          if (!existsSync(join(ROOT, path)) && !existsSync(resolve(join(ROOT, dirname(file)), path))) missing.push(`${file}:${i + 1}: ${path}`);
        }
      });
    }
    expect(missing).toEqual([]);
  });
});
