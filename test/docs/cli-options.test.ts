/**
 * docs/getting-started.md promises every command is on the CLI page "with its options or a link to the page that has
 * them": each option a command's --help shows is named in the command's own section of docs/cli.md, in the page's
 * common part (Inputs, Outputs: --book, --format, …), or, for a command the page only lists, in the pages its row of
 * the command table links to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { ROOT } from '../support/cli.js';

const docs = join(ROOT, 'docs');
const page = readFileSync(join(docs, 'cli.md'), 'utf8');
/** Everything before the first command's section: the table, inputs, outputs, exit codes. */
const common = page.slice(0, page.indexOf('\n## margin\n'));
/** `## a, b, c` sections by command name. */
const sections = new Map<string, string>();
for (const part of page.split(/\n## /).slice(1)) for (const name of part.slice(0, part.indexOf('\n')).split(/,\s*/)) sections.set(name, part);

/** The text a command's options must be named in. */
function docsOf(command: string): string {
  const own = sections.get(command);
  if (own !== undefined) return own + common;
  const row = common.split('\n').find((line) => line.startsWith('|') && line.split('|')[1].includes(`\`${command}`));
  const linked = [...(row ?? '').matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => readFileSync(join(docs, m[1]), 'utf8'));
  return common + linked.join('\n');
}

describe('docs/cli.md names every option of every command', () => {
  it('each shown option is in its section, the common part or a linked page', () => {
    const missing: string[] = [];
    for (const command of buildProgram().commands) {
      const text = docsOf(command.name());
      for (const option of command.options) {
        if (option.hidden || option.long === undefined) continue;
        if (!text.includes(option.long)) missing.push(`${command.name()} ${option.long}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
