/**
 * The roll-up's text (src/report/subaccount-text.ts) writes its counts with thousands separators, as the table above
 * it and the accounts line write theirs.
 */
import { expect, it } from 'vitest';
import { createEngine, generateSample } from '../../src/index.js';
import { rollupLines } from '../../src/report/subaccount-text.js';

it('counts masters and subaccounts with thousands separators, in the --top line and the summary', async () => {
  const sample = generateSample({ accounts: 6_000, seed: 2, accountsPerMaster: 5 });
  const report = (await createEngine({ backend: 'js' })).margin(sample.book, sample.market, { method: 'cross', params: { subaccounts: { policy: 'cross' } } });
  const lines = [...rollupLines(report.subaccounts!, 5)];
  expect(lines).toContain('showing 5 of 1,200 masters (--top 5: the least healthy groups)');
  expect(lines[lines.length - 1]).toMatch(/^1,200 masters with 4,800 subaccounts, policy cross: /);
});
