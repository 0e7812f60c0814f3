/**
 * One source for the domain's bounds (src/model/domain.ts): the published JSON Schemas carry exactly the bounds the
 * validators enforce, written by `node scripts/schemas.mjs` (src/model/domain-schemas.ts), and the schemas and the
 * library agree on either side of every bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN, type MagnitudeBound, PARAM_FLOOR_EXEMPT_SCHEMA } from '../../src/model/domain.js';
import { applyDomain, atPointer, boundKeywords, numericLeaves, schemaText, type SchemaName } from '../../src/model/domain-schemas.js';
import { validateBook, validateMarket } from '../../src/model/validate.js';
import { ROOT } from '../support/cli.js';
import { SCHEMAS } from '../support/schemas.js';
import { smallBook, smallMarket } from './fixtures.js';

const text = (name: SchemaName) => readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8');
const schema = (name: SchemaName) => JSON.parse(text(name));

describe('the schemas carry the domain table\'s bounds', () => {
  it('each schema file is what scripts/schemas.mjs writes from the table (run it after changing src/model/domain.ts)', () => {
    for (const name of ['book', 'market', 'params'] as const) expect(schemaText(applyDomain(schema(name), name), name), name).toBe(text(name));
  });

  it('every place a bound names holds exactly that bound\'s keywords', () => {
    for (const bound of Object.values(DOMAIN) as MagnitudeBound[]) {
      for (const place of bound.places) {
        const node = atPointer(schema(place.schema), place.pointer);
        const { type: _type, description: _description, ...keywords } = node;
        expect(keywords, `${place.schema} ${place.pointer}`).toEqual(boundKeywords(bound));
      }
    }
  });

  it('every number of the params schema is within the params bound, with its nonzero floor unless exempt', () => {
    const leaves = numericLeaves(schema('params'));
    expect(leaves.length).toBeGreaterThan(100);
    for (const { pointer, node } of leaves) {
      const top = (node.maximum ?? node.exclusiveMaximum) as number, bottom = (node.minimum ?? node.exclusiveMinimum) as number;
      expect(top <= DOMAIN.param.max && bottom >= -DOMAIN.param.max, pointer).toBe(true);
      expect(node.not !== undefined, pointer).toBe(!PARAM_FLOOR_EXEMPT_SCHEMA.includes(pointer) && node.type !== 'integer');
    }
  });
});

/** Does the library accept `value` at a place of the book or market? */
function libraryAccepts(set: (book: any, market: any) => void): { book: any; market: any; ok: boolean; worth: boolean } {
  const book = smallBook(), market = smallMarket();
  set(book, market);
  try {
    validateMarket(market, validateBook(book));
    return { book, market, ok: true, worth: false };
  } catch (error) {
    // refused for what the book is worth at its market, which no schema of one file can state
    return { book, market, ok: false, worth: /above the largest (notional|balance value|account value)/.test(String(error)) };
  }
}

describe('the schemas and the validators agree on both sides of each bound', () => {
  const near = (b: MagnitudeBound) => [0, b.min, b.min * 0.999, b.max, b.max * 1.001, -b.min, -b.max, -b.max * 1.001, 1e-300, -1e-300, 5e-324];
  const cases: { what: string; bound: MagnitudeBound; set: (book: any, market: any, v: number) => void }[] = [
    { what: 'quantity', bound: DOMAIN.quantity, set: (b, _m, v) => (b.accounts[2].positions = [{ instrument: 'BTC-PERP', quantity: v, entryPrice: 1 }]) },
    { what: 'multiplier', bound: DOMAIN.multiplier, set: (b, _m, v) => (b.instruments[3].multiplier = v) },
    { what: 'strike', bound: DOMAIN.price, set: (b, _m, v) => (b.instruments[3].strike = v) },
    { what: 'entry price', bound: DOMAIN.entryPrice, set: (b, _m, v) => (b.accounts[1].positions[0].entryPrice = v) },
    { what: 'amount', bound: DOMAIN.amount, set: (b, _m, v) => (b.accounts[2].collateral[0].amount = v) },
    { what: 'cash', bound: DOMAIN.cashUsd, set: (b, _m, v) => (b.accounts[2].cashUsd = v) },
    { what: 'isolated margin', bound: DOMAIN.isolatedMargin, set: (b, _m, v) => (b.accounts[1].positions[0].isolatedMargin = v) },
    { what: 'asset price', bound: DOMAIN.price, set: (_b, m, v) => (m.assets.ETH.price = v) },
    { what: 'mark', bound: DOMAIN.price, set: (_b, m, v) => (m.marks['BTC-PERP'] = v) },
    { what: 'vol', bound: DOMAIN.vol, set: (_b, m, v) => (m.assets.ETH.vol = v) },
    { what: 'implied vol', bound: DOMAIN.vol, set: (_b, m, v) => (m.impliedVols['ETH-25DEC26-2800-P'] = v) },
    { what: 'rate', bound: DOMAIN.rate, set: (_b, m, v) => (m.assets.BTC.rate = v) },
  ];
  for (const c of cases) {
    it(c.what, () => {
      for (const v of near(c.bound)) {
        const { book, market, ok, worth } = libraryAccepts((b, m) => c.set(b, m, v));
        const schemaOk = SCHEMAS.book(book) && SCHEMAS.market(market);
        if (schemaOk && worth) continue;
        expect(schemaOk, `${c.what} = ${v}: schema ${schemaOk}, library ${ok}`).toBe(ok);
      }
    });
  }

  it('a params number outside the params bound fails the schema as it fails the library', () => {
    expect(SCHEMAS.params({ liquidation: { insuranceFund: { balanceUsd: 1e16 } } })).toBe(false);
    expect(SCHEMAS.params({ stress: { impact: { BTC: { model: 'sqrt', y: 1, advUsd: 1e-300 } } } })).toBe(false);
    expect(SCHEMAS.params({ stress: { impact: { BTC: { model: 'sqrt', y: 1, advUsd: 1e-12 } } } })).toBe(true);
    expect(SCHEMAS.params({ var: { returns: { assets: ['BTC'], matrix: [[1e-14]] } } })).toBe(true); // a return is data: no floor
  });
});
