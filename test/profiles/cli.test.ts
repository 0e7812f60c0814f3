import { join } from 'node:path';
import { expect, test } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';

const inputs = ['--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json')];

test('`margin-core profiles` lists each profile with its version, method and sources; json gives the parameters', async () => {
  const text = await marginCore('profiles');
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^deribit \(version 2026-02-15\): method deribit/);
  expect(text.stdout).toMatch(/\nderibit-legacy \(version 2024-06-17\): method portfolio/);
  expect(text.stdout).toContain('support.deribit.com');
  const json = await marginCore('profiles', '--format', 'json');
  expect(JSON.parse(json.stdout)[0].params.deribit.bucketsCount).toBe(4);
  expect(JSON.parse(json.stdout)[1].params.portfolio.assets.default.spotSteps).toBe(9);
});

test('--profile runs the profile\'s method, says so, and rejects an unknown profile naming the nearest (2) or another method (1)', async () => {
  const run = await marginCore('margin', ...inputs, '--profile', 'deribit', '--format', 'json');
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  expect([report.method, report.profile]).toEqual(['deribit', { name: 'deribit', version: '2026-02-15' }]);
  expect((await marginCore('margin', ...inputs, '--profile', 'deribit')).stdout).toContain('under profile deribit 2026-02-15 (deribit)');
  const unknown = await marginCore('margin', ...inputs, '--profile', 'derbit');
  expect(unknown.code).toBe(2); // a bad option value, like an unknown method (docs/cli.md, exit codes)
  expect(unknown.stderr).toContain('error: option \'--profile <name>\' argument \'derbit\' is invalid. unknown profile "derbit" (did you mean "deribit"?); the profiles are deribit, deribit-legacy, deribit-standard, span, derive');
  const clash = await marginCore('margin', ...inputs, '--profile', 'deribit', '--method', 'cross');
  expect(clash.code).toBe(2); // two options that do not go together: a usage error, both flags named (docs/cli.md, exit codes)
  expect(clash.stderr).toContain('error: --method cross contradicts --profile deribit, which runs deribit: leave --method out, or give --method deribit');
  expect(clash.stderr).not.toMatch(/\n\s+at /); // no stack trace
  const explain = await marginCore('explain', 'distressed-000202', '--profile', 'deribit-legacy');
  expect(explain.stdout).toContain('(portfolio margin (profile deribit-legacy 2024-06-17) on');
});
