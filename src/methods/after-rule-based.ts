/**
 * The run, remargin and liquidation remargin of a method whose own pass follows the rule-based one: the rule-based
 * kernel over the accounts (equity, mark-to-market), the method's pass, then the status from both.
 */
import type { MarginKernels } from '../kernels/backend.js';
import type { MarginOutputs } from '../margin/outputs.js';
import type { MethodContext } from './method.js';

/** A method's own pass over the whole book, and over one account. */
export interface MethodPass {
  run(kernels: MarginKernels, out: MarginOutputs): void;
  remargin(a: number, out: MarginOutputs): void;
}

export interface AfterRuleBased {
  run(): void;
  remargin(a: number): void;
  /** The accounts in `accounts` (any order), each as remargin. */
  remarginList(accounts: Int32Array): void;
}

export function afterRuleBased(ctx: MethodContext, pass: MethodPass): AfterRuleBased {
  return {
    run() {
      ctx.ruleBased(0);
      pass.run(ctx.kernels(), ctx.out);
      ctx.restatus();
    },
    remargin(a) {
      ctx.ruleBased(0, { first: a, last: a + 1 });
      pass.remargin(a, ctx.out);
      ctx.restatus(a, a + 1);
    },
    remarginList(accounts) {
      ctx.ruleBased(0, { list: accounts });
      remarginEach(pass, accounts, ctx.out);
      ctx.restatusList(accounts);
    },
  };
}

// the loop in a function of its own: perf: loop-alone (docs/performance.md)
function remarginEach(pass: MethodPass, accounts: Int32Array, out: MarginOutputs): void {
  for (let k = 0; k < accounts.length; k++) pass.remargin(accounts[k], out);
}
