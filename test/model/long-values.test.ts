import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { describeValue, InputError, shortPath } from '../../src/errors.js';

const read = (path: string) => readFileSync(path, 'utf8');

test('a market passed as its JSON text is refused with the start of the text and its length, not all 29,065 characters', async () => {
  const engine = await createEngine({ backend: 'js' });
  const text = read('data/sample/market.json');
  let problem: { path: string; message: string } | undefined;
  try {
    engine.margin(JSON.parse(read('data/sample/book.json')), text, { method: 'cross' });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    problem = (error as InputError).problems[0];
  }
  expect(problem?.path).toBe('market');
  expect(problem?.message).toBe(`expected an object with valuationTime and assets (and marks, impliedVols and correlation where the book needs them), got ${JSON.stringify(text.slice(0, 200))}… (a string of ${text.length.toLocaleString('en-US')} characters)`);
  expect(problem!.message.length).toBeLessThan(500);
});

test('strings up to 200 characters are quoted whole', () => {
  expect(describeValue('x'.repeat(200))).toBe(JSON.stringify('x'.repeat(200)));
  expect(describeValue('é'.repeat(201))).toBe(`${JSON.stringify('é'.repeat(200))}… (a string of 201 characters)`);
});

test('an error whose list was cut says how many more there are at least, and where validation stopped', async () => {
  const engine = await createEngine({ backend: 'js' });
  const book = JSON.parse(read('data/sample/book.json'));
  for (const account of book.accounts) for (const p of account.positions) p.instrument = 'NOPE';
  let error: InputError | undefined;
  try {
    engine.margin(book, JSON.parse(read('data/sample/market.json')), { method: 'cross' });
  } catch (e) {
    error = e as InputError;
  }
  expect(error?.truncated).toBe(true);
  expect(error?.problems.length).toBe(100);
  expect(error?.message.endsWith(' (and over 95 more: validation stops after the first 100)')).toBe(true);
  // a list kept whole counts what it holds beyond the first five
  expect(new InputError(Array.from({ length: 7 }, (_, k) => ({ path: `x[${k}]`, message: 'bad' }))).message.endsWith('; x[4]: bad (and 2 more)')).toBe(true);
});

test('an InputError holds at most 100 problems whoever built its list, and says it was cut', () => {
  const error = new InputError(Array.from({ length: 150 }, (_, k) => ({ path: `accounts[${k}]`, message: 'bad' })));
  expect([error.problems.length, error.truncated, error.problems[99].path]).toEqual([100, true, 'accounts[99]']);
  expect(error.message.endsWith(' (and over 95 more: validation stops after the first 100)')).toBe(true);
});

test('margin-core/math and shardOf refuse what they cannot compute (NaN came back)', async () => {
  const { nearestCorrelation } = await import('../../src/model/correlation.js');
  const { shardOf } = await import('../../src/scale/hash.js');
  expect(() => nearestCorrelation(new Float64Array(5), 3)).toThrow(/^invalid input: a: expected 3 × 3 = 9 entries \(row-major\), got 5$/);
  expect(() => nearestCorrelation(Float64Array.from([1, Number.NaN, Number.NaN, 1]), 2)).toThrow('a[1]: not a finite number (got NaN)');
  expect(nearestCorrelation(new Float64Array(0), 0)).toEqual({ matrix: new Float64Array(0), iterations: 0, converged: true, distance: 0 });
  for (const shards of [0, -1, 1.5, Number.NaN]) expect(() => shardOf('x', shards)).toThrow(/shards: expected a whole number of shards ≥ 1/);
  expect(() => shardOf(5 as never, 4)).toThrow(/id: expected an account id/);
  expect(shardOf('x', 4)).toBe(shardOf('x', 4));
});

test('an unknown id read from a damaged file is quoted cut, as any long string (an Arrow book with corrupt offsets)', async () => {
  const engine = await createEngine({ backend: 'js' });
  const book = JSON.parse(read('data/sample/book.json'));
  const long = 'ETH-27NOV26-2700-P'.repeat(300);
  book.accounts[0].positions[0].instrument = long;
  book.accounts[1].master = long;
  const problemsOf = (b: unknown) => {
    try {
      engine.margin(b, JSON.parse(read('data/sample/market.json')), { method: 'cross' });
    } catch (error) {
      return (error as InputError).problems;
    }
    return [];
  };
  // a balance's asset is checked against the market, once the book itself is valid
  const withAsset = JSON.parse(read('data/sample/book.json'));
  withAsset.accounts[0].collateral = [{ asset: long, amount: 1 }];
  const problems = [...problemsOf(book), ...problemsOf(withAsset)];
  const quoted = `${describeValue(long)}`;
  expect(quoted.endsWith('… (a string of 5,400 characters)')).toBe(true);
  expect(problems.map((p) => p.message)).toEqual(expect.arrayContaining([`unknown instrument ${quoted}`, `unknown asset ${quoted} (not in market.assets)`, `unknown master ${quoted}: no account of the book has that id`]));
  for (const p of problems) expect(p.message.length, p.path).toBeLessThan(400);
});

test('an unknown method or account id too long to be one is quoted cut, wherever it is named', async () => {
  const engine = await createEngine({ backend: 'js' });
  const book = JSON.parse(read('data/examples/subaccounts-book.json')), market = JSON.parse(read('data/examples/market.json'));
  const long = 'q'.repeat(6_000), cut = `${JSON.stringify('q'.repeat(200))}… (a string of 6,000 characters)`;
  const problemOf = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as InputError).problems[0];
    }
    throw new Error('expected an InputError');
  };
  const live = engine.live(book, market, { method: 'cross' });
  try {
    const cases: [string, () => unknown][] = [
      ['options.method', () => engine.margin(book, market, { method: long })],
      ['accounts[0].method', () => engine.margin({ ...book, accounts: [{ ...book.accounts[0], method: long }, ...book.accounts.slice(1)] }, market)],
      ['account', () => live.whatIf(long, [])],
      ['account', () => live.check(long, { instrument: 'BTC-PERP', quantity: 1 })],
      ['account', () => live.account(long)],
      ['transfer.from', () => live.transfer({ from: long, to: 's1', asset: 'USDC', amount: 1 })],
    ];
    for (const [path, f] of cases) {
      const p = problemOf(f);
      expect(p.path).toBe(path);
      expect(p.message, path).toContain(cut);
      expect(p.message.length, path).toBeLessThan(400);
    }
  } finally {
    live.release();
  }
});

test('a long name in a path is cut as a long value is: in an error, a live tick and an unknown field (5,000 characters)', async () => {
  const name = 'q'.repeat(5_000), cut = `${'q'.repeat(200)}…(a name of 5,000 characters)`;
  expect(shortPath(`tick.assets.${name}.price`)).toBe(`tick.assets.${cut}.price`);
  expect(shortPath('accounts[17].positions[3].quantity')).toBe('accounts[17].positions[3].quantity');
  expect(new InputError([{ path: `x.${name}`, message: 'm' }]).problems[0].path).toBe(`x.${cut}`);
  const engine = await createEngine({ backend: 'js' });
  const book = JSON.parse(read('data/sample/book.json')), market = JSON.parse(read('data/sample/market.json'));
  book.accounts[0][name] = 1;
  let problems: readonly { path: string }[] = [];
  try {
    engine.margin(book, market, { method: 'cross' });
  } catch (error) {
    problems = (error as InputError).problems;
  }
  expect(problems.map((p) => p.path)).toEqual([`accounts[0].${cut}`]);
  delete book.accounts[0][name];
  const live = engine.live(book, market, { method: 'cross' });
  try {
    const tick = live.applyTick({ assets: { [name]: { price: 1 } } }) as { problems?: readonly { path: string }[] };
    expect(tick.problems?.map((p) => p.path)).toEqual([`tick.assets.${cut}`]);
  } catch (error) {
    expect((error as InputError).problems.map((p) => p.path)).toEqual([`tick.assets.${cut}`]);
  } finally {
    live.release();
  }
});
