import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerGenerateCommand } from '../../src/cli/commands/generate.js';
import { generateSample, sampleJson } from '../../src/sample/generate.js';
import { scratchDir } from '../support/scratch-dir.js';

describe('generate command', () => {
  const dir = scratchDir('margin-core-');
  it('writes DIR/book.json and DIR/market.json for --accounts and --seed', async () => {
    const program = new Command().exitOverride();
    registerGenerateCommand(program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await program.parseAsync(['generate', '--accounts', '25', '--seed', '9', '--out', dir], { from: 'user' });
    log.mockRestore();
    const expected = generateSample({ accounts: 25, seed: 9 });
    expect(readFileSync(join(dir, 'book.json'), 'utf8')).toBe(sampleJson(expected.book));
    expect(readFileSync(join(dir, 'market.json'), 'utf8')).toBe(sampleJson(expected.market));
  });

  it('refuses a folder holding a book of the other format (it would read as the new market\'s pair)', async () => {
    const program = new Command().exitOverride();
    registerGenerateCommand(program);
    // `dir` holds the JSON book of the first test: an Arrow book would sit beside it
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(program.parseAsync(['generate', '--accounts', '5', '--format', 'arrow', '--out', dir], { from: 'user' })).rejects.toThrow(/book\.json is there from an earlier run/);
    } finally {
      err.mockRestore();
    }
    expect(readFileSync(join(dir, 'book.json'), 'utf8')).toBe(sampleJson(generateSample({ accounts: 25, seed: 9 }).book)); // untouched
  });

  it('rejects a non-integer account count', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerGenerateCommand(program);
    await expect(program.parseAsync(['generate', '--accounts', 'ten', '--out', '/tmp/x'], { from: 'user' })).rejects.toThrow(/positive integer/);
  });
});
