/**
 * A checkpoint's capture of the instruments table: the same on a second capture of one layout, and read again once the
 * table grew (an instrument added to the live layout is in the next checkpoint).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { captureLayout } from '../../src/durable/layout-capture.js';
import { PartitionState } from '../../src/durable/partition-state.js';

const BOOK = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [{ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] }],
};
const MARKET = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('captureLayout', () => {
  it('captures the instruments table as the book has it, and again with an instrument added since', () => {
    const state = PartitionState.open(engine, 3, BOOK, MARKET, { method: 'cross' }, { fillSeq: 0, tickId: '0-0' });
    const layout = state.live!.layout;
    const first = captureLayout(layout, undefined, new Map());
    expect(first.instruments).toEqual([{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }]);
    expect(captureLayout(layout, undefined, new Map()).instruments).toEqual(first.instruments);
    layout.addInstrument({ id: 'BTC-27MAR26', kind: 'future', underlying: 'BTC', expiry: '2026-03-27T08:00:00Z' });
    expect(captureLayout(layout, undefined, new Map()).instruments.map((i) => [i.id, i.kind, 'expiry' in i ? i.expiry : null])).toEqual([
      ['BTC-PERP', 'perpetual', null],
      ['BTC-27MAR26', 'future', '2026-03-27T08:00:00Z'],
    ]);
    state.release();
  });
});
