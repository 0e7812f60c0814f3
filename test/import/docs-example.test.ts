/** docs/data-import.md's worked example, run: every command and output line the page shows. */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { importDeribit } from '../../src/io.js';
import { CLI, ROOT } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';
import { deribitFixture } from './fixtures.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const page = readFileSync(join(ROOT, 'docs', 'data-import.md'), 'utf8');
/** The fenced blocks of the page, in order: [language, text]. */
const blocks = [...page.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]] as const);
/** The block after the `sh` block holding `command`. */
const after = (command: string, skip = 1) => blocks[blocks.findIndex(([lang, text]) => lang === 'sh' && text.includes(command)) + skip][1];

describe('docs/data-import.md', () => {
  const cwd = scratchDir('mc-docs-import-');
  cpSync(join(ROOT, 'data', 'examples'), join(cwd, 'data', 'examples'), { recursive: true }); // as `margin-core sample data` writes it
  const cli = (args: string) => run(process.execPath, [CLI, ...args.replace(/^margin-core /, '').trim().split(/\s+/)], { cwd });

  it('the import command prints what the page shows, on stdout and on stderr', async () => {
    const command = blocks.find(([lang, text]) => lang === 'sh' && text.includes('import deribit'))![1];
    const { stdout, stderr } = await cli(command);
    expect(stdout).toBe(after('import deribit'));
    expect(stderr).toBe(after('import deribit', 2));
  });

  it('margining the imported files prints the page\'s CSV', async () => {
    const command = blocks.find(([lang, text]) => lang === 'sh' && text.includes('margin --book imported'))![1];
    await cli('margin-core import deribit --in data/examples/deribit-usdc --out imported');
    const { stdout } = await cli(command);
    expect(stdout).toBe(after('margin --book imported'));
  });

  it('the library snippet\'s figures', async () => {
    const imported = importDeribit(deribitFixture('usdc-account'));
    expect(imported.skipped).toEqual([]);
    expect(imported.venueEquity[0].equity).toBe(25154.875);
    const report = (await createEngine()).margin(imported.book, imported.market, { profile: 'deribit-standard' });
    expect(report.accounts[0].equity).toBe(25154.875);
    // the venue's own: the account summary's initial_margin 916.29 and maintenance_margin 458.72, to the cent
    const summary = JSON.parse(readFileSync(join(ROOT, 'data', 'examples', 'deribit-usdc', 'get_account_summary.json'), 'utf8')).result;
    expect([report.accounts[0].im, report.accounts[0].mm]).toEqual([916.2939375, 458.7189375]);
    expect([Math.round(report.accounts[0].im * 100) / 100, Math.round(report.accounts[0].mm * 100) / 100]).toEqual([summary.initial_margin, summary.maintenance_margin]);
  });
});
