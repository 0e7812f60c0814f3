/**
 * Report fields built on first read (a margin report's rows, src/margin/summary-rows.ts; a liquidation report's
 * accounts and ADL fills, src/liquidation/engine.ts): each is an enumerable accessor in its key position until read,
 * then replaced by a plain data property holding what it built, in the same position. Plain access, JSON.stringify,
 * spread, structuredClone and Object.keys read a report as the plain object an eager build gives; util.inspect too (a
 * hook reads the fields first). Assigning a field replaces it; a frozen report keeps the accessor and serves the built
 * value.
 */

/** Node's util.inspect hook (a registered symbol, so no Node import). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What builds one lazy field of one object, and what it built (the accessor of a frozen object serves it). */
interface LazyState {
  build: () => unknown;
  assigned?: ((value: unknown) => void) | undefined;
  built?: { value: unknown } | undefined;
}

/** Each object's lazy fields, in a non-enumerable property (keys, JSON, spread and structuredClone skip it). */
const STATES = Symbol('margin-core lazy fields');
type Lazy = { [STATES]?: Record<PropertyKey, LazyState> | undefined };

/**
 * One getter and setter per key, shared by every object, that find the object's own state through `this`.
 * perf: lazy-rows (docs/performance.md): shared accessors, not closures per object, give every report one class.
 */
const ACCESSORS = new Map<PropertyKey, { get(this: object): unknown; set(this: object, value: unknown): void }>();

function accessorsOf(key: PropertyKey): { get(this: object): unknown; set(this: object, value: unknown): void } {
  let pair = ACCESSORS.get(key);
  if (pair === undefined) {
    pair = {
      get(this: object): unknown {
        const state = (this as Lazy)[STATES]![key];
        return state.built !== undefined ? state.built.value : settle(this, key, state, state.build());
      },
      set(this: object, value: unknown): void {
        const state = (this as Lazy)[STATES]![key];
        state.assigned?.(value);
        settle(this, key, state, value);
      },
    };
    ACCESSORS.set(key, pair);
  }
  return pair;
}

/** Puts what a field built (or was assigned) in the accessor's place, same key position; a frozen object keeps the accessor. */
function settle(target: object, key: PropertyKey, state: LazyState, value: unknown): unknown {
  state.built = { value };
  if (Object.getOwnPropertyDescriptor(target, key)?.configurable) {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return value;
}

/** util.inspect shows accessors as [Getter/Setter]: show the plain object the report reads as (one function for all). */
function inspectPlain(this: object, _depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
  return inspect({ ...this }, options);
}

/**
 * Defines `key` on `target`, built by `build` on first read; call in key order (the position is the definition's).
 * `assigned` hears of a value the caller assigns instead.
 */
export function defineLazyField<T extends object, K extends keyof T>(target: T, key: K, build: () => T[K], assigned?: (value: T[K]) => void): void {
  let states = (target as Lazy)[STATES];
  if (states === undefined) Object.defineProperty(target, STATES, { value: (states = {}) });
  states[key] = { build, assigned: assigned as ((value: unknown) => void) | undefined };
  const { get, set } = accessorsOf(key);
  Object.defineProperty(target, key, { get, set, enumerable: true, configurable: true });
  if (!Object.hasOwn(target, INSPECT)) Object.defineProperty(target, INSPECT, { value: inspectPlain, enumerable: false });
}
