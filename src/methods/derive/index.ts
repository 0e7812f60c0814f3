/**
 * Derive portfolio margin (PMRM_2) as a method: spot × vol scenarios with static discounting, the forward (basis)
 * contingency, skew rotations, and the perp, option, confidence, de-peg and collateral terms (docs/profiles.md;
 * conformance: test/conformance/derive/).
 */
import type { MarginMethodPlugin } from '../method.js';
import { deriveSchema } from './schema.js';
import type { DeriveParams } from './params.js';
import { DeriveRun } from './run.js';
import type { DeriveExplain } from './types.js';
import { checkDeriveParams } from './validate.js';
import { InputError } from '../../errors.js';
import { keyPath } from '../../model/checks.js';
import './types.js';

/** A held balance whose scenario risk follows an underlying the book does not have would silently lose its hedge. */
function requireKnownHedges(params: DeriveParams, assets: readonly string[]): void {
  const problems = [];
  for (const [asset, c] of Object.entries(params.collateral)) {
    if (assets.includes(asset) && c.riskCancelling !== null && !assets.includes(c.riskCancelling)) {
      problems.push({ path: `${keyPath('params.derive.collateral', asset)}.riskCancelling`, message: `${JSON.stringify(c.riskCancelling)} is not an asset of the book (its assets: ${assets.join(', ')})` });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

export const deriveMethod: MarginMethodPlugin<DeriveParams> = {
  name: 'derive',
  description: 'Derive portfolio margin (PMRM_2): spot × vol scenarios, basis and skew scenarios, contingencies',
  section: 'derive',
  assetKeys: { keyed: ['collateral', 'feeds'], named: ['cashAsset'] },
  calibration: {
    target: 'Derive PMRM_2: the worst loss over spot ±18% (steps of 4.5%) × vol down / none / up, dampened tails, two skew rotations',
    source: 'Derive (derivexyz/v2-core, PMRM_2); its published portfolio cases are the conformance tests',
  },
  schema: deriveSchema,
  validateParams: (section, problems) => checkDeriveParams(section, problems),
  prepare(ctx, params) {
    requireKnownHedges(params, ctx.layout.assets);
    const run = new DeriveRun(ctx, params);
    return {
      run() {
        ctx.ruleBased(0);
        run.run();
        ctx.restatus();
      },
      remargin(a) {
        ctx.ruleBased(0, { first: a, last: a + 1 });
        run.remargin(a);
        ctx.restatus(a, a + 1);
      },
      live: {
        marketMoved() {
          // the table depends on every option's market: revalue, then re-margin the exposed accounts
          ctx.ruleBased(0);
          run.run();
          ctx.restatus();
        },
        everyAccount: true,
      },
      errorOf: () => 'a scenario P&L, requirement or equity is not finite: a quantity, amount or price is too large for double precision',
      explain(row, a) {
        const r = run.resultOf(a);
        const assets = ctx.layout.assets;
        const explain: DeriveExplain = {
          underlyings: r.underlyings.map((u) => {
            const s = u.worstScenario >= 0 ? params.scenarios[u.worstScenario] : undefined;
            return {
              underlying: assets[u.underlying],
              worst: u.worst,
              worstScenario: s ? `spot ×${label(s.spotShock)} / vol ${s.vol} ×${label(s.dampening)}` : 'basis contingency',
              basisContingency: u.basisContingency,
              scenarioPnl: Array.from(u.scenarioPnl),
              optionMtm: u.optionMtm,
            };
          }),
          imFactor: r.imFactor,
          mmFactor: r.mmFactor,
          imContingency: r.imContingency,
          mmContingency: r.mmContingency,
        };
        row.derive = explain;
      },
      release() {},
    };
  },
};

/** A scenario's multiplier in a label, to 12 significant digits: 1 − 4 × 0.045 reads 0.82, not 0.8200000000000001. */
function label(x: number): number {
  return Number(x.toPrecision(12));
}
