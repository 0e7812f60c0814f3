/**
 * The accounts scanner (src/io/json-book/scan.ts) and its WASM twin (assembly/json/scan-accounts.ts, SIMD and scalar
 * builds) write the same records, bit for bit, for any text: whole, cut anywhere (the scan asks for more bytes at the
 * same place), or not JSON. And every number they read is the double JSON.parse gives.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARG, SCAN_END, STATE_START } from '../../../src/io/json-book/scan-abi.js';
import { scanKeys } from '../../../src/io/json-book/scan-keys.js';
import { hashOf } from '../../../src/io/arrow/id-index.js';
import { resolveSlowNumbers } from '../../../src/io/json-book/scanned-accounts.js';
import { type AccountScanner, JsScanner, WasmScanner } from '../../../src/io/json-book/scanners.js';
import { coverageFloor, propertyRuns } from '../../support/property-runs.js';

let scanners: AccountScanner[];
beforeAll(async () => {
  scanners = [new JsScanner(), await WasmScanner.create('scalar'), await WasmScanner.create('simd')];
});

const KEYS = scanKeys(new Map([['BTC-PERP', 0], ['ETH-PERP', 1], ['BTC-25DEC26-90000-P', 2]]));

/** Scans `text` (the inside of an accounts array, from its first byte) up to `to` with `scanner`: the code, args and records. */
function scan(scanner: AccountScanner, text: string, to = text.length, final = to === text.length) {
  const bytes = Buffer.from(text, 'latin1');
  scanner.reserve(bytes.length + 16, 0, 1);
  scanner.setKeys(KEYS);
  scanner.text.fill(0x20);
  scanner.text.set(bytes);
  const a = scanner.args;
  a[ARG.from] = 0;
  a[ARG.to] = to;
  a[ARG.final] = final ? 1 : 0;
  a[ARG.state] = STATE_START;
  const code = scanner.scan();
  const r = scanner.records;
  const bits = (x: Float64Array, n: number) => [...new BigUint64Array(x.buffer, x.byteOffset, n)];
  return {
    code, next: a[ARG.next], state: a[ARG.state], counts: [a[ARG.accounts], a[ARG.positions], a[ARG.balances], a[ARG.slow]],
    accounts: [...r.accountInts.subarray(0, 8 * a[ARG.accounts])], cash: bits(r.accountCash, a[ARG.accounts]),
    positions: [...r.positionInts.subarray(0, a[ARG.positions])], values: bits(r.positionValues, 2 * a[ARG.positions]),
    balances: [...r.balanceInts.subarray(0, 2 * a[ARG.balances])], amounts: bits(r.balanceValues, a[ARG.balances]),
    slow: [...r.slowInts.subarray(0, 3 * a[ARG.slow])],
  };
}

/** The double of a JSON number as the scanners give it (slow numbers resolved as the reader resolves them). */
function cashOf(scanner: AccountScanner, number: string): number {
  const text = `{"id":"a","cashUsd":${number}}]`;
  expect(scan(scanner, text).code).toBe(SCAN_END);
  resolveSlowNumbers(Buffer.from(scanner.text.buffer, scanner.text.byteOffset, scanner.text.length), scanner.args[ARG.slow], scanner.records);
  return scanner.records.accountCash[0];
}

const bitsOf = (x: number) => new BigUint64Array(Float64Array.of(x).buffer)[0];

describe('numbers', () => {
  it('known doubles (IEEE 754 binary64 encodings): 0.1, −0, the largest, the smallest normal and subnormal, 1e23', () => {
    const known: [string, bigint][] = [
      ['0.1', 0x3fb999999999999an], // 0.1 rounds to 0x3FB999999999999A (1.1001100…1010₂ × 2⁻⁴)
      ['-0', 0x8000000000000000n], ['-0.0e7', 0x8000000000000000n], ['0e999999', 0n],
      ['1.7976931348623157e308', 0x7fefffffffffffffn], // (2 − 2⁻⁵²) × 2¹⁰²³
      ['2.2250738585072014e-308', 0x0010000000000000n], // 2⁻¹⁰²²
      ['5e-324', 1n], ['4.9406564584124654e-324', 1n], // 2⁻¹⁰⁷⁴
      ['2.4703282292062328e-324', 1n], // just above half of 2⁻¹⁰⁷⁴: rounds up
      ['1e23', 0x44b52d02c7e14af6n], // 10²³ is not a double; the nearest is 99999999999999991611392
      ['9007199254740993', 0x4340000000000000n], // 2⁵³ + 1: a tie, to even 2⁵³
      ['1e400', 0x7ff0000000000000n], // beyond the largest: Infinity, as JSON.parse gives it
    ];
    for (const scanner of scanners) for (const [text, bits] of known) expect([scanner.backend, text, bitsOf(cashOf(scanner, text))]).toEqual([scanner.backend, text, bits]);
  });

  it('fuzzed decimals (many digits, leading zeros, exponents, subnormals, −0) are the doubles JSON.parse gives, on every scanner', () => {
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const decimal = fc.record({
      minus: fc.boolean(),
      whole: fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom(...'123456789'), digits(0, 24)).map(([a, b]) => a + b)),
      fraction: fc.option(digits(1, 30), { nil: undefined }),
      exponent: fc.option(fc.record({ e: fc.constantFrom('e', 'E'), sign: fc.constantFrom('', '+', '-'), value: fc.oneof(digits(1, 3), fc.integer({ min: 280, max: 345 }).map(String)) }), { nil: undefined }),
    }).map((d) => `${d.minus ? '-' : ''}${d.whole}${d.fraction === undefined ? '' : `.${d.fraction}`}${d.exponent ? d.exponent.e + d.exponent.sign + d.exponent.value : ''}`);
    fc.assert(fc.property(decimal, (text) => {
      const expected = bitsOf(JSON.parse(text) as number);
      for (const scanner of scanners) expect([text, scanner.backend, bitsOf(cashOf(scanner, text))]).toEqual([text, scanner.backend, expected]);
    }), propertyRuns(2000));
  });
});

describe('the twins', () => {
  // pieces of account elements, clean and not, joined at random with random whitespace
  const space = fc.string({ unit: fc.constantFrom(' ', '\n', '\t', '\r', '  '), maxLength: 3 });
  const number = fc.oneof(fc.double({ noNaN: true }).map((x) => JSON.stringify(x)), fc.constantFrom('-0', '1e23', '0.30000000000000004', '12345678901234567890', '1.', '01', '-', '1e', '.5', 'NaN', 'null', '"1"'));
  const string = fc.oneof(fc.constantFrom('BTC-PERP', 'ETH-PERP', 'BTC-25DEC26-90000-P', 'NOPE', '', 'a\\"b', 'caf\u00e9', 'tab\t', 'x\u007f'), fc.string({ maxLength: 20 }));
  const field = (name: string, value: fc.Arbitrary<string>) => fc.tuple(space, value, space).map(([s, v, t]) => `${s}"${name}"${t}:${s}${v}`);
  const position = fc.array(fc.oneof(field('instrument', string.map((s) => `"${s}"`)), field('quantity', number), field('entryPrice', number), field('isolatedMargin', number)), { maxLength: 4 })
    .map((fields) => `{${fields.join(',')}}`);
  const balance = fc.array(fc.oneof(field('asset', string.map((s) => `"${s}"`)), field('amount', number), field('location', string.map((s) => `"${s}"`))), { maxLength: 3 })
    .map((fields) => `{${fields.join(',')}}`);
  const value = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x));
  const cleanPosition = fc.tuple(fc.constantFrom('BTC-PERP', 'ETH-PERP', 'BTC-25DEC26-90000-P'), value, value, space)
    .map(([i, q, e, s]) => `{${s}"instrument":${s}"${i}",${s}"quantity": ${q},"entryPrice":${e}${s}}`);
  const cleanAccount = fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.array(cleanPosition, { maxLength: 5 }), fc.option(value), space)
    .map(([id, p, cash, s]) => `{${s}"id": ${JSON.stringify(id)},${cash === null ? '' : ` "cashUsd":${cash},`}${s}"positions":[${p.join(`,${s}`)}],"collateral":[{"asset":"USDC","amount":${cash ?? 1}}]}`);
  const account = fc.oneof(cleanAccount, fc.array(fc.oneof(
    field('id', string.map((s) => `"${s}"`)), field('cashUsd', number),
    field('positions', fc.array(position, { maxLength: 4 }).map((p) => `[${p.join(',')}]`)),
    field('collateral', fc.array(balance, { maxLength: 3 }).map((b) => `[${b.join(',')}]`)),
    field('master', string.map((s) => `"${s}"`)),
  ), { maxLength: 6 }).map((fields) => `{${fields.join(',')}}`));
  const text = fc.tuple(fc.array(fc.tuple(space, account, space), { maxLength: 6 }), fc.constantFrom(']', ']}', '', '}', ',]'))
    .map(([elements, end]) => elements.map(([s, a, t]) => s + a + t).join(',') + end);

  it('write the same records, whole and cut anywhere, on random texts', () => {
    let clean = 0;
    fc.assert(fc.property(text, fc.double({ min: 0, max: 1, noNaN: true }), (t, cut) => {
      const to = Math.floor(cut * t.length);
      const [js, ...wasm] = scanners.map((s) => [scan(s, t), scan(s, t, to, false)]);
      for (const w of wasm) expect(w).toEqual(js);
      for (let a = 0; a < js[0].accounts.length; a += 8) if (js[0].accounts[a] === 0) clean++;
    }), propertyRuns(500));
    expect(clean).toBeGreaterThan(coverageFloor(100, 500)); // the schema's path is taken, not only the general one
  });

  it('a generated account: clean, its values and rows read (hand-checked); a cut one asks for more from its first byte', () => {
    const t = ' {"id": "acct-1", "positions": [{"instrument": "ETH-PERP", "quantity": -2.5, "entryPrice": 3000}], "collateral": [{"asset": "USDC", "amount": 1e4}]} ]';
    for (const scanner of scanners) {
      const whole = scan(scanner, t);
      expect(whole.code).toBe(SCAN_END);
      expect(whole.counts).toEqual([1, 1, 1, 0]);
      expect(whole.accounts.slice(0, 5)).toEqual([0, 1, t.length - 2, t.indexOf('acct-1'), t.indexOf('acct-1') + 6]); // clean, [start, end), id bytes
      expect(whole.positions).toEqual([1]); // ETH-PERP is row 1
      expect(whole.values).toEqual([bitsOf(-2.5), bitsOf(3000)]);
      expect(whole.amounts).toEqual([bitsOf(10_000)]);
      const cut = scan(scanner, t, 40, false);
      expect([cut.code, cut.next, cut.counts[0]]).toEqual([0, 1, 0]);
    }
  });

  it('an id that lands on a key\'s slot and differs from it in one byte (a whole word or the tail) is no instrument; the key itself is its row', () => {
    // every near miss of each key (one byte changed, at each place) whose hash probes the key's own slot first
    const ids = ['BTC-PERP', 'ETH-PERP', 'BTC-25DEC26-90000-P', 'SOL-27NOV26-150-C', 'X', 'XRPU'];
    const keys = scanKeys(new Map(ids.map((id, k) => [id, k])));
    const slotOf = (id: string) => hashOf(Buffer.from(id, 'latin1'), 0, id.length) & keys.mask;
    const misses: string[] = [];
    for (const id of ids) {
      for (let at = 0; at < id.length; at++) {
        for (let c = 0x21; c < 0x7f && misses.filter((m) => m.length === id.length).length < 40 * (ids.indexOf(id) + 1); c++) {
          const miss = id.slice(0, at) + String.fromCharCode(c) + id.slice(at + 1);
          if (c !== 0x22 && c !== 0x5c && miss !== id && slotOf(miss) === slotOf(id)) misses.push(miss);
        }
      }
    }
    expect(new Set(misses.map((m) => m.length)).size).toBeGreaterThanOrEqual(4); // words only, words and a tail, a tail only
    const positions = [...ids, ...misses].map((id) => `{"instrument":"${id}","quantity":1,"entryPrice":2}`);
    const t = `{"id":"a","positions":[${positions.join(',')}]}]`;
    for (const scanner of scanners) {
      const bytes = Buffer.from(t, 'latin1');
      scanner.reserve(bytes.length + 16, 0, 4); // records for a position every 16 bytes
      scanner.setKeys(keys);
      scanner.text.set(bytes);
      const a = scanner.args;
      a[ARG.from] = 0;
      a[ARG.to] = bytes.length;
      a[ARG.final] = 1;
      a[ARG.state] = STATE_START;
      expect(scanner.scan()).toBe(SCAN_END);
      expect([...scanner.records.positionInts.subarray(0, a[ARG.positions])]).toEqual([...ids.map((_, k) => k), ...misses.map(() => -1)]);
    }
  });

  it('a field name one byte away from the schema\'s (first, middle or last byte) makes its account one for the general reader', () => {
    const fields = { id: '"a"', cashUsd: '1', instrument: '"ETH-PERP"', quantity: '1', entryPrice: '2', asset: '"USDC"', amount: '3' };
    const account = (name: (field: string) => string) => `{"${name('id')}":"a","${name('cashUsd')}":1,"positions":[{"${name('instrument')}":"ETH-PERP",` +
      `"${name('quantity')}":1,"${name('entryPrice')}":2}],"collateral":[{"${name('asset')}":"USDC","${name('amount')}":3}]}`;
    const exact = account((f) => f);
    for (const scanner of scanners) expect(scan(scanner, `${exact}]`).accounts[0]).toBe(0); // clean
    for (const field of Object.keys(fields)) {
      for (const at of [0, field.length >> 1, field.length - 1]) {
        const changed = (f: string) => (f === field ? f.slice(0, at) + (f[at] === 'q' ? 'x' : 'q') + f.slice(at + 1) : f);
        for (const scanner of scanners) expect(scan(scanner, `${account(changed)}]`).accounts[0], `${field}[${at}]`).toBe(1); // general
      }
    }
  });
});
