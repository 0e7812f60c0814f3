/**
 * What the methods derive from a layout's holdings and keep for its next run (a session margins its book market after
 * market), owned by the layout: made by a run, dropped with the layout (or by {@link LayoutMemo.clear}), never seen
 * by another layout's runs. Each kind of value has a {@link MemoSlot} (an immutable module constant naming it); within
 * a slot, values are keyed by the object they were derived from (the layout itself, or a unions array).
 * A value must still be checked against what it was built from when the layout can change under it.
 */

/** A kind of kept value: a typed, immutable name. */
export class MemoSlot<T> {
  /** Carries T for the type checker only. */
  declare private readonly value: T;
  constructor(readonly name: string) {}
}

export class LayoutMemo {
  private readonly slots = new Map<MemoSlot<unknown>, WeakMap<object, unknown>>();

  /** The value kept in `slot` for `key`, if any. */
  get<T>(slot: MemoSlot<T>, key: object): T | undefined {
    return this.slots.get(slot as MemoSlot<unknown>)?.get(key) as T | undefined;
  }

  /** Keeps `value` in `slot` for `key` (replacing what was there); returns it. */
  set<T>(slot: MemoSlot<T>, key: object, value: T): T {
    let values = this.slots.get(slot as MemoSlot<unknown>);
    if (values === undefined) this.slots.set(slot as MemoSlot<unknown>, (values = new WeakMap()));
    values.set(key, value);
    return value;
  }

  /** Drops every kept value. */
  clear(): void {
    this.slots.clear();
  }
}
