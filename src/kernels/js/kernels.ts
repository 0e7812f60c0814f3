import type { GreeksOutput } from '../../model/greeks-types.js';
import { checkGreeksChunk, type GreeksColumnsIn } from '../../model/greeks-validate.js';
import { bsmGreeksJs } from './bsm.js';
import { exp, log } from './elementary.js';
import { normCdf } from './normal.js';
import type { MathOpName } from '../wasm/exports.js';

/** Options checked and priced per step: small enough to stay in cache between the two. */
const CHUNK = 2048;

/** The pure-JS backend: the same kernels as WASM, on ordinary typed arrays. */
export class JsKernels {
  private zeros = new Float64Array(0);

  /** Checks and prices chunk by chunk; throws InputError at the first bad chunk. */
  greeks(input: GreeksColumnsIn, out: GreeksOutput): void {
    if (!input.carry && this.zeros.length < input.n) this.zeros = new Float64Array(input.n);
    const columns = { ...input, carry: input.carry ?? this.zeros, ...out };
    for (let start = 0; start < input.n; start += CHUNK) {
      const end = Math.min(start + CHUNK, input.n);
      checkGreeksChunk(input, start, end);
      bsmGreeksJs(columns, start, end);
    }
  }

  math(op: MathOpName, input: Float64Array): Float64Array {
    const f = op === 'exp' ? exp : op === 'log' ? log : normCdf;
    return input.map((x) => f(x));
  }
}
