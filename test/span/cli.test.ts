/** `--profile span` on the CLI's margin and explain commands, on the bundled sample. */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';

const inputs = ['--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json')];

test('margin and explain run the span profile and say so; profiles lists it with its sources', async () => {
  const run = await marginCore('margin', ...inputs, '--profile', 'span', '--format', 'json', '--breakdown');
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  expect([report.method, report.profile.name]).toEqual(['span', 'span']);
  const withSpan = report.accounts.filter((a: { span?: unknown }) => a.span);
  expect(withSpan.length).toBeGreaterThan(0);
  for (const a of withSpan) expect(a.mm).toBe(a.span.maintenance);
  expect((await marginCore('margin', ...inputs, '--profile', 'span')).stdout).toMatch(/under profile span [\d-]+ \(span\)/);
  const explain = await marginCore('explain', 'distressed-000107', '--profile', 'span');
  expect(explain.code).toBe(0);
  expect(explain.stdout).toMatch(/span margin \(profile span [\d-]+\) on/);
  const list = await marginCore('profiles');
  expect(list.stdout).toMatch(/^span \(version [\d-]+\): method span/m);
  expect(list.stdout).toContain('cmegroup');
  const clash = await marginCore('margin', ...inputs, '--profile', 'span', '--method', 'portfolio');
  expect(clash.code).toBe(2);
  expect(clash.stderr).toContain('error: --method portfolio contradicts --profile span, which runs span');
});
