/**
 * Liquidation of a laid-out book (a {@link MarginSession}): the service the engine's `liquidate` composes, above the
 * session it takes, with the master-level policy of `params.subaccounts` applied first.
 */
import { isValidatedMarket } from '../model/brand.js';
import type { ValidatedMarket } from '../model/types.js';
import { validateMarket } from '../model/validate.js';
import type { MarginSession } from '../session/session.js';
import type { CheckedMethod } from '../session/types.js';
import { policyBook } from '../subaccounts/policy-book.js';
import { InputError } from '../errors.js';
import { type LiquidateOptions, type LiquidationChunk, liquidate, liquidateChunks, PLAN_CHUNK_STEPS } from './engine.js';
import { liquidationSection, unknownAssetProblems } from './validate.js';
import type { LiquidationReport } from './report.js';

/**
 * Liquidates every account of `session`'s book below maintenance margin on `market`, by `options.method`, with the
 * `liquidation` parameters (src/liquidation/): the plan, fills, fees, insurance fund and ADL. The layout is changed as
 * the liquidation leaves it (positions reduced, cash moved); margin it again to see the book afterwards. Under a
 * master-level policy other than independent, the book the policy leaves is liquidated instead (pools under cross,
 * covers paid under backstop; src/subaccounts/policy-book.ts) and the session's layout is not changed.
 */
export function liquidateSession<M extends string>(session: MarginSession, market: ValidatedMarket | unknown, options: LiquidateOptions & CheckedMethod<M> = {}): LiquidationReport {
  const profiled = session.withProfile(options);
  const valid = knownAssets(market, profiled);
  const policy = session.subaccountPolicy(options);
  if (policy === null) return liquidate(session, valid, profiled);
  // a master-level policy: liquidate the book it leaves (src/subaccounts/policy-book.ts); this layout is unchanged then
  const book = policyBook(session, valid, options, profiled.method ?? session.registry.defaultName, policy);
  if (book === null) return liquidate(session, valid, profiled);
  const pooled = session.openBook(book);
  try {
    return liquidate(pooled, valid, profiled);
  } finally {
    pooled.release();
  }
}

/**
 * {@link liquidateSession} with the plan handed out as it is made, a chunk of accounts at a time (engine.ts
 * liquidateChunks): the report returned has an empty `accounts`, the chunks' accounts in order being its accounts
 * (`keepFills` false: the ADL fills counted only, as there).
 */
export function* liquidateSessionChunks<M extends string>(session: MarginSession, market: ValidatedMarket | unknown, options: LiquidateOptions & CheckedMethod<M> = {}, chunkSteps = PLAN_CHUNK_STEPS, keepFills = true): Generator<LiquidationChunk, LiquidationReport> {
  const profiled = session.withProfile(options);
  const valid = knownAssets(market, profiled);
  const policy = session.subaccountPolicy(options);
  if (policy === null) return yield* liquidateChunks(session, valid, profiled, chunkSteps, keepFills);
  const book = policyBook(session, valid, options, profiled.method ?? session.registry.defaultName, policy);
  if (book === null) return yield* liquidateChunks(session, valid, profiled, chunkSteps, keepFills);
  const pooled = session.openBook(book);
  try {
    return yield* liquidateChunks(pooled, valid, profiled, chunkSteps, keepFills);
  } finally {
    pooled.release();
  }
}

/**
 * `market` validated, after refusing the liquidation parameters' asset keys it does not price (a misspelt
 * `slippage.BTX` or `stableAssets` entry would silently leave the asset on the default: validate.ts unknownAssetProblems).
 */
function knownAssets(market: ValidatedMarket | unknown, options: LiquidateOptions): ValidatedMarket {
  const valid = isValidatedMarket(market) ? market : validateMarket(market);
  const problems = unknownAssetProblems(liquidationSection(options), 'params.liquidation', [...valid.assets.keys()], ['slippage'], ['stableAssets']);
  if (problems.length > 0) throw new InputError(problems);
  return valid;
}
