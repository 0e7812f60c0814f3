/**
 * `margin-core sample DIR` writes the package's bundled data as a clone has it under data/ (sample/, examples/,
 * shocks/), so the docs' `data/…` paths resolve in an empty project; it never overwrites a file that differs.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore, ROOT } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const FOLDERS = ['sample', 'examples', 'shocks'];

describe('margin-core sample DIR', () => {
  it('writes data/sample, data/examples and data/shocks byte for byte, and a second run changes nothing', async () => {
    const dir = join(scratchDir('mc-sample-'), 'data');
    const first = await marginCore('sample', dir);
    expect(first.code, first.stderr).toBe(0);
    for (const folder of FOLDERS) {
      const names = (readdirSync(join(ROOT, 'data', folder), { recursive: true }) as string[]).filter((f) => f.endsWith('.json'));
      expect((readdirSync(join(dir, folder), { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort()).toEqual(names.sort());
      for (const name of names) expect(readFileSync(join(dir, folder, name)).equals(readFileSync(join(ROOT, 'data', folder, name))), `${folder}/${name}`).toBe(true);
    }
    expect(first.stderr.trim().split('\n')).toEqual(FOLDERS.map((f) => `wrote ${join(dir, f)}/ (${(readdirSync(join(ROOT, 'data', f), { recursive: true }) as string[]).filter((n) => n.endsWith('.json')).length} files)`));
    expect((await marginCore('sample', dir)).code).toBe(0);
  });

  it('refuses (exit 1, one line naming the file) when a file there differs, and writes nothing', async () => {
    const dir = scratchDir('mc-sample-clash-');
    await marginCore('sample', dir);
    writeFileSync(join(dir, 'examples', 'market.json'), '{}\n');
    rmSync(join(dir, 'shocks', 'btc-crash.json'));
    const clash = await marginCore('sample', dir);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe(`margin-core: ${join(dir, 'examples', 'market.json')} exists with other content: move it away, or give another DIR\n`);
    expect(readFileSync(join(dir, 'examples', 'market.json'), 'utf8')).toBe('{}\n');
    expect(existsSync(join(dir, 'shocks', 'btc-crash.json'))).toBe(false); // checked before anything is written
  });
});
