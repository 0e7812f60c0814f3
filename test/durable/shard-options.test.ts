/**
 * A shard's own options are its command's to refuse (docs/cli.md: every command checks its options before any work,
 * exit 1 for an input problem): --params a partition's session would refuse (a negative rate, the backstop policy a
 * live session does not pay) end `live-shard` before it connects to Redis or takes a partition, one problem at its
 * path. It had started, said it was listening, and logged `recovery-failed` for its partitions every second, forever.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCoreWith, SAMPLE } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-shard-options-');
const TOKEN = 'shard-options-token-0123456789';

/** live-shard on the sample with `params`, against a port where no Redis listens (it must not get that far). */
async function shardWith(params: unknown): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `params-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(params));
  return marginCoreWith({ MARGIN_CORE_TOKEN: TOKEN }, 'live-shard', '--redis', 'redis://127.0.0.1:1', '--cluster', 'opts', '--book', join(SAMPLE, 'book.json'),
    '--market', join(SAMPLE, 'market.json'), '--params', file, '--checkpoint-dir', join(dir, 'ckpt'), '--attempts', '1');
}

describe('live-shard refuses options its partitions would refuse, before it starts', () => {
  it('a negative rate: exit 1, its path, nothing listening', async () => {
    const { code, stdout, stderr } = await shardWith({ linear: { BTC: [{ imRate: -1, mmRate: 0.01 }] } });
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(/^margin-core: invalid input in .*params-\w+\.json \(1 problem\):\n {2}params\.linear\.BTC\[0\]\.imRate: negative rate \(-1\)\n$/);
  }, 60_000);

  it('the backstop policy: exit 1, as serve refuses it', async () => {
    const { code, stdout, stderr } = await shardWith({ subaccounts: { policy: 'backstop' } });
    expect([code, stdout]).toEqual([1, '']);
    // named in the --params file, at the file's path (it read `invalid input (1 problem): options.params…`)
    expect(stderr).toMatch(/^margin-core: invalid input in .*params-\w+\.json \(1 problem\):\n {2}params\.subaccounts\.policy: a live session margins every account alone/);
  }, 60_000);

  it('good options get past the check (to Redis, which is not there: exit 1 naming it)', async () => {
    const { code, stderr } = await shardWith({ linear: { BTC: [{ imRate: 0.02, mmRate: 0.01 }] } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/Redis|redis/);
  }, 60_000);
});
