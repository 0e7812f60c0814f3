import type { GreeksOutput } from '../../greeks/types.js';
import type { ValidGreeksInput } from '../../greeks/validate.js';
import { bsmGreeksJs } from './bsm.js';
import { exp, log } from './elementary.js';
import { normCdf } from './normal.js';
import type { MathOpName } from '../wasm/exports.js';

/** The pure-JS backend: the same kernels as WASM, on ordinary typed arrays. */
export class JsKernels {
  greeks(input: ValidGreeksInput, out: GreeksOutput): void {
    bsmGreeksJs({ ...input, ...out }, 0, input.n);
  }

  math(op: MathOpName, input: Float64Array): Float64Array {
    const f = op === 'exp' ? exp : op === 'log' ? log : normCdf;
    return input.map((x) => f(x));
  }
}
