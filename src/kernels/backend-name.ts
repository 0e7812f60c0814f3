/** Which kernels serve a call: WASM with SIMD, WASM without, or the pure-JS twins (same bits on all three). */
export type BackendName = 'wasm-simd' | 'wasm-scalar' | 'js';
