import { expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { generateSample, MAX_GENERATED_ACCOUNTS, sampleStream } from '../../src/sample/generate.js';

/** The problems generateSample gives for `options` (none: it returned a sample). */
function problemsOf(options: unknown): { path: string; message: string }[] {
  try {
    generateSample(options as never);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(({ path, message }) => ({ path, message }));
  }
}

test('a count beyond the domain is refused before any account is made (a trillion accounts ran until out of memory)', () => {
  expect(MAX_GENERATED_ACCOUNTS).toBe(10_000_000);
  // the stream refuses it too, when asked for it, not when its first account is read
  expect(() => sampleStream({ accounts: 1e12, seed: 1 })).toThrow('options.accounts: expected an integer from 1 to 10,000,000, got 1000000000000');
  expect(problemsOf({ accounts: 10_000_001, seed: 1 })).toEqual([{ path: 'options.accounts', message: 'expected an integer from 1 to 10,000,000, got 10000001' }]);
  // a count of positions beyond the instruments is every instrument once (it ran, and runs, as before)
  expect(generateSample({ accounts: 1, seed: 1, positionsPerAccount: 1e9 }).book.accounts[0].positions).toHaveLength(generateSample({ accounts: 1, seed: 1 }).book.instruments.length);
  expect(problemsOf({ accounts: 1, seed: 1, coinAccounts: 2e7 })).toEqual([{ path: 'options.coinAccounts', message: 'expected an integer from 0 to 10,000,000, got 20000000' }]);
});

test('every problem at once at its path, a misspelt option with the name meant', () => {
  expect(problemsOf({ accounts: 1.5, valuationTime: 'yesterday', acountsPerMaster: 3 })).toEqual([
    { path: 'options.acountsPerMaster', message: 'unknown option (did you mean "accountsPerMaster"?)' },
    { path: 'options.accounts', message: 'expected an integer from 1 to 10,000,000, got 1.5' },
    { path: 'options.seed', message: 'expected an integer, got undefined' },
    { path: 'options.valuationTime', message: 'expected an ISO-8601 timestamp with a zone, got "yesterday"' },
  ]);
  expect(problemsOf('7 accounts')).toEqual([{ path: 'options', message: 'expected an object of options, or none, got "7 accounts"' }]);
  expect(problemsOf({ accounts: -1, seed: 0.5, accountsPerMaster: 0, valuationTime: 'yesterday' })).toEqual([
    { path: 'options.accounts', message: 'expected an integer from 1 to 10,000,000, got -1' },
    { path: 'options.seed', message: 'expected an integer, got 0.5' },
    { path: 'options.accountsPerMaster', message: 'expected an integer ≥ 1, got 0' },
    { path: 'options.valuationTime', message: 'expected an ISO-8601 timestamp with a zone, got "yesterday"' },
  ]);
  expect(problemsOf({ accounts: Number.NaN })).toEqual([
    { path: 'options.accounts', message: 'expected an integer from 1 to 10,000,000, got NaN' },
    { path: 'options.seed', message: 'expected an integer, got undefined' },
  ]);
  expect(problemsOf(undefined)).toEqual([{ path: 'options', message: 'missing (expected { accounts, seed })' }]);
});

test('the bounds themselves are in the domain', () => {
  expect(problemsOf({ accounts: 1, seed: -7, positionsPerAccount: 150, accountsPerMaster: 2e7, coinAccounts: 0 })).toEqual([]);
  expect(problemsOf({ accounts: 10_000_000, seed: 1, coinAccounts: 10_000_001 })).toEqual([{ path: 'options.coinAccounts', message: 'expected an integer from 0 to 10,000,000, got 10000001' }]);
  expect(generateSample({ accounts: 2, seed: 3, positionsPerAccount: 0 }).book.accounts.map((a) => a.positions?.length)).toEqual([0, 0]);
});
