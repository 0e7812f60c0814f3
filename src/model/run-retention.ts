/**
 * Keeps the newest object of each per-call class alive until the next call replaces it.
 *
 * V8 keeps the hidden classes (maps) that an instance's fields go through only while some object uses them (map
 * transitions are weak), and throws away optimised code that checks a map when the map dies. A run object, and
 * everything it holds, is made and dropped by every call: with none alive, every major garbage collection between two
 * calls killed those maps, deoptimised the call's code, and the next call ran while V8 optimised it again. Measured on
 * the generated 100,000-account book with a full collection before each call: a cross liquidation took 350–600 ms
 * instead of ~120 ms, a portfolio margin run 100–190 ms instead of 60–65 (the deopts name "weak objects"); with the
 * last run kept, the liquidation's deopts are gone. The price is the memory of one call's objects (a few MB for
 * 10^5 accounts: the run's own arrays, not the book's WASM columns, which the session releases) until the next call.
 */
const newest = new Map<abstract new (...args: never[]) => object, object>();

/** Keeps `instance` (and what it references) alive as the newest of its class; returns it. */
export function keepShapes<T extends object>(instance: T): T {
  newest.set(instance.constructor as abstract new (...args: never[]) => object, instance);
  return instance;
}
