/** A small seeded PRNG (mulberry32) so every random test is reproducible from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distance between two doubles in units in the last place of `ref`. */
export function ulpDistance(x: number, ref: number): number {
  if (x === ref) return 0;
  const ulp = Math.max(Math.abs(ref) * 2 ** -52, Number.MIN_VALUE);
  return Math.abs(x - ref) / ulp;
}
