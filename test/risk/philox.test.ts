import { beforeAll, describe, expect, test } from 'vitest';
import type { RiskKernels } from '../../src/kernels/risk.js';
import { firstBitDifference, riskBackends } from './support.js';

let backends: RiskKernels[];
beforeAll(async () => {
  backends = await riskBackends();
});

// Random123 kat_vectors, philox4x32 with 10 rounds: counter (4 words), key (2 words) → output (4 words).
// Reproduced in DEShawResearch/fs123 core123/ut/ut_philox.cpp; the last case uses the hex digits of π.
const KAT: { ctr: [number, number, number, number]; key: [number, number]; out: number[] }[] = [
  { ctr: [0, 0, 0, 0], key: [0, 0], out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  { ctr: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff], out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd] },
  { ctr: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], key: [0xa4093822, 0x299f31d0], out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1] },
];

describe('Philox4x32-10', () => {
  test('matches the Random123 known-answer vectors on every backend', () => {
    for (const b of backends) {
      for (const { ctr, key, out } of KAT) expect(Array.from(b.philox(1, ctr, key)), b.backend).toEqual(out);
    }
  });

  test('the counter is a 128-bit integer: block i of a run equals a single block at counter + i, across carries', () => {
    for (const b of backends) {
      const run = b.philox(3, [0xfffffffe, 0xffffffff, 0xffffffff, 7], [5, 6]);
      expect(Array.from(run.subarray(4, 8))).toEqual(Array.from(b.philox(1, [0xffffffff, 0xffffffff, 0xffffffff, 7], [5, 6])));
      expect(Array.from(run.subarray(8, 12))).toEqual(Array.from(b.philox(1, [0, 0, 0, 8], [5, 6])));
    }
  });

  test('JS, WASM scalar and WASM SIMD give the same words on a long stream', () => {
    const [js, ...wasm] = backends.map((b) => b.philox(4099, [0xfffff000, 3, 0, 0], [0xdeadbeef, 42]));
    wasm.forEach((w, i) => expect(firstBitDifference(w, js), backends[i + 1].backend).toBe(-1));
  });

  test('the words look uniform: each of 32 bits is set about half the time', () => {
    const words = backends[0].philox(25_000, [0, 0, 0, 0], [1, 2]); // 100,000 words
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      for (const w of words) ones += (w >>> bit) & 1;
      // binomial(1e5, 1/2): sd ≈ 158; 5 sd ≈ 800
      expect(Math.abs(ones - 50_000), `bit ${bit}`).toBeLessThan(800);
    }
  });
});
