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

  it('rejects a non-integer account count', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerGenerateCommand(program);
    await expect(program.parseAsync(['generate', '--accounts', 'ten', '--out', '/tmp/x'], { from: 'user' })).rejects.toThrow(/positive integer/);
  });
});
