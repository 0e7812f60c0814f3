import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { keepShapes } from '../../src/model/keep-shapes.js';

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

describe('keepShapes', () => {
  it('keeps the newest object of each class alive until a newer one of the same class replaces it', async () => {
    const a1 = made(() => keepShapes(new RunA(1)));
    const b1 = made(() => keepShapes(new RunB(1)));
    const loose = made(() => new RunA(0));
    await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs made in this job hold their targets until it ends
    gc();
    expect(loose.ref.deref()).toBeUndefined();
    expect(a1.ref.deref()?.n).toBe(1);
    expect(b1.ref.deref()?.n).toBe(1);
    const a2 = made(() => keepShapes(new RunA(2)));
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(a1.ref.deref()).toBeUndefined();
    expect(a2.ref.deref()?.n).toBe(2);
    expect(b1.ref.deref()?.n).toBe(1); // another class's newest is untouched
  });
});
