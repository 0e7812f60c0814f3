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

/**
 * Defines `key` on `target`, built by `build` on first read; call in key order (the position is the definition's).
 * `assigned` hears of a value the caller assigns instead.
 */
export function defineLazyField<T extends object, K extends keyof T>(target: T, key: K, build: () => T[K], assigned?: (value: T[K]) => void): void {
  let built: { value: T[K] } | undefined; // what the accessor serves when it cannot be replaced (a frozen report)
  const settle = (value: T[K]): T[K] => {
    built = { value };
    if (Object.getOwnPropertyDescriptor(target, key)?.configurable) {
      Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    }
    return value;
  };
  Object.defineProperty(target, key, {
    get: () => (built !== undefined ? built.value : settle(build())),
    set: (value: T[K]) => {
      assigned?.(value);
      settle(value);
    },
    enumerable: true,
    configurable: true,
  });
  if (!Object.hasOwn(target, INSPECT)) {
    // util.inspect shows accessors as [Getter/Setter]: show the plain object the report reads as
    Object.defineProperty(target, INSPECT, {
      value(this: T, _depth: number, options: object, inspect: (value: unknown, options: object) => string) {
        return inspect({ ...this }, options);
      },
      enumerable: false,
    });
  }
}
