/**
 * Writes the portfolio benchmark's (a) inputs and the kernels' outputs to one binary file for the
 * native reference (bench/native/reference.c). The outputs come from the JS twins, which the tests
 * hold bit-identical to the WASM kernels.
 *
 * Layout: i32 header [instruments, underlyings, S, groups, slots], then per instrument isCall (i32),
 * underlying (i32), strike, expiryYears, vol, volScale, baseValue; per underlying spot, rate, carry,
 * volFloor; per underlying × scenario spotMove, volShock, weight; per group start, end, underlying
 * (i32); per slot row (i32), scale; outputs riskArray (instruments × S), worstLoss (f64) and
 * worstScenario (i32) per group. f64 unless marked, little-endian.
 */
import { writeFileSync } from 'node:fs';
import { portfolioReduceJs } from '../../src/kernels/js/portfolio/reduce.js';
import { type RiskArrayColumns, riskArraysJs } from '../../src/kernels/js/scenario/risk-arrays.js';
import { kernelInputs } from '../portfolio.js';

const out = process.argv[2] ?? 'build/native-inputs.bin';
const { risk, reduce, nGroups, S } = kernelInputs();
const n = risk.kind.length, U = risk.spot.length;
riskArraysJs(n, U, S, risk as unknown as RiskArrayColumns);
portfolioReduceJs(nGroups, S, reduce as unknown as Parameters<typeof portfolioReduceJs>[2]);

const i32 = (a: ArrayLike<number>) => Int32Array.from(a);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
const parts: ArrayBufferView[] = [
  Int32Array.of(n, U, S, nGroups, reduce.slotRow.length),
  i32(risk.isCall), i32(risk.underlying), f64(risk.strike), f64(risk.expiryYears), f64(risk.vol), f64(risk.volScale), f64(risk.baseValue),
  f64(risk.spot), f64(risk.rate), f64(risk.carry), f64(risk.volFloor),
  f64(risk.spotMove), f64(risk.volShock), f64(reduce.weight),
  i32(reduce.groupStart), i32(reduce.groupEnd), i32(reduce.groupUnderlying), i32(reduce.slotRow), f64(reduce.slotScale),
  f64(risk.riskArray), f64(reduce.worstLoss), i32(reduce.worstScenario),
];
writeFileSync(out, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
console.log(`wrote ${out}: ${n} options, ${U} underlyings, S = ${S}, ${nGroups} groups, ${reduce.slotRow.length} slots`);
