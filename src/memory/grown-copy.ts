/** A typed array copied into one twice as long (a grow-only scratch array that ran out of room). */
export function grownCopy<A extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(from: A): A {
  const to = new (from.constructor as new (length: number) => A)(2 * from.length);
  to.set(from as ArrayLike<number>);
  return to;
}
