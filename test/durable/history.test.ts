/**
 * The history checker on hand-made histories: each verdict (lost, duplicated, unexpected, recovered) and the net
 * quantities are counted by hand from the few entries below.
 */
import { describe, expect, it } from 'vitest';
import { History, type LoggedEntry, outcomeOf } from '../../src/durable/history.js';

const trade = (partition: number, seq: number, id: string, instrument: string, q: number): LoggedEntry => ({
  partition, seq, entry: { kind: 'fills', id, fills: [{ account: 'a', instrument, quantity: q, price: 1 }, { account: 'b', instrument, quantity: -q, price: 1 }] },
});

describe('History', () => {
  it('finds nothing wrong when every acknowledged op is logged once and unknown ones are either way', () => {
    const h = new History();
    h.record('x', 'ok');
    h.record('y', 'unknown');
    h.record('z', 'unknown');
    h.record('w', 'fail');
    const v = h.check([trade(3, 1, 'x', 'BTC-PERP', 2), trade(5, 1, 'y', 'ETH-PERP', 1)]);
    expect(v).toMatchObject({ sent: 4, acknowledged: 1, failed: 1, unknown: 2, lost: [], duplicated: [], unexpected: [], recovered: ['y'] });
    expect([...v.netQuantity]).toEqual([['BTC-PERP', 0], ['ETH-PERP', 0]]);
  });

  it('names an acknowledged op missing, one logged twice in a partition, a refused one logged and one never sent', () => {
    const h = new History();
    for (const id of ['lost', 'twice']) h.record(id, 'ok');
    h.record('refused', 'fail');
    const v = h.check([trade(1, 1, 'twice', 'BTC-PERP', 1), trade(1, 2, 'twice', 'BTC-PERP', 1), trade(2, 1, 'refused', 'BTC-PERP', 1), trade(2, 2, 'stranger', 'BTC-PERP', 1)]);
    expect({ lost: v.lost, duplicated: v.duplicated, unexpected: v.unexpected }).toEqual({ lost: ['lost'], duplicated: ['twice'], unexpected: ['refused', 'stranger'] });
  });

  it('counts one op split over two partitions once per partition, not as a duplicate', () => {
    const h = new History();
    h.record('split', 'ok');
    const half = (p: number, q: number): LoggedEntry => ({ partition: p, seq: 1, entry: { kind: 'fills', id: 'split', fills: [{ account: `a${p}`, instrument: 'BTC-PERP', quantity: q, price: 1 }] } });
    const v = h.check([half(0, 3), half(9, -3)]);
    expect(v.duplicated).toEqual([]);
    expect(v.netQuantity.get('BTC-PERP')).toBe(0);
  });

  it('sees a one-sided fill as a break of conservation', () => {
    const h = new History();
    h.record('one', 'ok');
    const v = h.check([{ partition: 0, seq: 1, entry: { kind: 'fills', id: 'one', fills: [{ account: 'a', instrument: 'ETH-PERP', quantity: 0.5, price: 1 }] } }]);
    expect(v.netQuantity.get('ETH-PERP')).toBe(0.5);
  });

  it('refuses an op id recorded twice', () => {
    const h = new History();
    h.record('x', 'ok');
    expect(() => h.record('x', 'fail')).toThrow(/recorded twice/);
  });
});

describe('outcomeOf', () => {
  it.each([
    [200, null, 'ok'],
    [400, null, 'fail'],
    [503, null, 'fail'],
    [503, 'false', 'fail'],
    [null, 'false', 'fail'],
    [503, 'unknown', 'unknown'],
    [503, 'partial', 'unknown'],
    [503, 'true', 'unknown'],
    [400, 'true', 'unknown'],
    [null, null, 'unknown'],
    [500, null, 'unknown'],
  ] as const)('status %s, x-in-log %s: %s', (status, inLog, expected) => {
    expect(outcomeOf(status, inLog)).toBe(expected);
  });
});
