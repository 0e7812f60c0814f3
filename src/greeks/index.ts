/**
 * `margin-core/greeks`: option Greeks alone, without the margin engine. Its module graph holds the Greeks kernels
 * (WASM and the JS twin), their validation and nothing else (no books, methods, liquidation, workers or LP solver), so
 * a page that only prices options loads none of that; the main entry's `createPricer` is the same function.
 */
export { createPricer, GreeksPricer, type PricerOptions } from './pricer.js';
export { GreeksBatch } from './batch.js';
export type { GreeksInput, GreeksOutput } from '../model/greeks-types.js';
export { GREEKS_LIMITS } from '../model/greeks-limits.js';
export { InputError, type InputProblem } from '../errors.js';
export type { WasmUrls } from '../kernels/wasm/binary.js';
export type { BackendName } from '../kernels/backend-name.js';
