import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { RunRetention } from '../../src/model/run-retention.js';
import { book, market } from '../support/margin-books.js';
import { liquidateSession } from '../../src/liquidation/liquidate-session.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

class RunA {
  constructor(readonly n: number) {}
}
class RunB {
  constructor(readonly n: number) {}
}

/** WeakRefs to objects made in a function of their own (no local keeps them). */
function made<T extends object>(make: () => T): { ref: WeakRef<T> } {
  return { ref: new WeakRef(make()) };
}

/** Lets the WeakRefs made in this job release their targets, then collects. */
async function collect(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
}

describe('RunRetention', () => {
  it('keeps the newest object of each class alive until a newer one of the same class replaces it', async () => {
    const kept = new RunRetention();
    const a1 = made(() => kept.keep(new RunA(1)));
    const b1 = made(() => kept.keep(new RunB(1)));
    const loose = made(() => new RunA(0));
    await collect();
    expect(loose.ref.deref()).toBeUndefined();
    expect(a1.ref.deref()?.n).toBe(1);
    expect(b1.ref.deref()?.n).toBe(1);
    const a2 = made(() => kept.keep(new RunA(2)));
    await collect();
    expect(a1.ref.deref()).toBeUndefined();
    expect(a2.ref.deref()?.n).toBe(2);
    expect(b1.ref.deref()?.n).toBe(1); // another class's newest is untouched
  });

  it('is per owner: one retention replacing its run leaves another retention\'s run alive; clear drops them', async () => {
    const one = new RunRetention(), two = new RunRetention();
    const a1 = made(() => one.keep(new RunA(1)));
    const a2 = made(() => two.keep(new RunA(2)));
    made(() => one.keep(new RunA(3)));
    await collect();
    expect(a1.ref.deref()).toBeUndefined();
    expect(a2.ref.deref()?.n).toBe(2);
    two.clear();
    expect(two.size).toBe(0);
    await collect();
    expect(a2.ref.deref()).toBeUndefined();
  });

  it('an engine\'s sessions share its retention, which holds the newest margin and liquidation runs until close()', async () => {
    const engine = await createEngine({ backend: 'js' });
    const other = await createEngine({ backend: 'js' });
    const b = book({ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });
    const s1 = engine.openBook(b), s2 = engine.openBook(b);
    expect(s1.retention).toBe(s2.retention);
    expect(other.openBook(b).retention).not.toBe(s1.retention);
    s1.margin(market());
    liquidateSession(s2, market());
    expect(s1.retention.size).toBe(2); // the prepared run and the liquidation run
    await engine.close();
    expect(s1.retention.size).toBe(0);
    await other.close();
  });
});
