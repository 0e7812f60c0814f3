/**
 * Liquidation of a laid-out book (a {@link MarginSession}): the service the engine's `liquidate` composes, above the
 * session it takes, with the master-level policy of `params.subaccounts` applied first.
 */
import { marginOptionsIn } from '../margin/options.js';
import { isValidatedMarket } from '../model/brand.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { validateMarket } from '../model/validate.js';
import type { MarginSession } from '../session/session.js';
import type { CheckedMethod } from '../session/types.js';
import { policyAction } from '../subaccounts/policy-book.js';
import { payCovers } from '../subaccounts/pool-book.js';
import { withWarnings } from '../model/warnings.js';
import { money } from '../margin/money-text.js';
import { type InputProblem, ProblemList } from '../errors.js';
import { type LiquidateOptions, type LiquidationChunk, liquidate, liquidateChunks, PLAN_CHUNK_STEPS } from './engine.js';
import { LIQUIDATION_ASSET_KEYS, liquidationSections } from './validate.js';
import { unknownAssetProblems } from '../model/asset-keys.js';
import type { LiquidationReport } from './report.js';

/**
 * Liquidates every account of `session`'s book below maintenance margin on `market`, by `options.method`, with the
 * `liquidation` parameters (src/liquidation/): the plan, fills, fees, insurance fund and ADL. The layout is changed as
 * the liquidation leaves it (positions reduced, cash moved); margin it again to see the book afterwards. Under a
 * master-level policy (src/subaccounts/policy-book.ts): `backstop` pays the masters' covers into the layout first
 * (cash moved master → subaccount), then liquidates it likewise; `cross` liquidates the pooled book, where a group is
 * one account under its master's id, and leaves the session's layout as it was: a pool's closes are not its members'
 * (`callersSession`: the report says so in a warning, as the caller goes on with the session).
 */
export function liquidateSession<M extends string>(session: MarginSession, market: ValidatedMarket | unknown, options: LiquidateOptions & CheckedMethod<M> = {}, callersSession = false): LiquidationReport {
  const profiled = session.withProfile(options);
  const { valid, warnings } = knownAssets(market, profiled);
  const acted = actOn(session, valid, options, profiled, warnings);
  if (acted === null) return warned(liquidate(session, valid, profiled), warnings);
  const pooled = session.openBook(acted);
  try {
    const report = liquidate(pooled, valid, profiled);
    return warned(report, callersSession ? [...warnings, POOLED_NOT_WRITTEN] : warnings);
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
  const { valid, warnings } = knownAssets(market, profiled);
  const acted = actOn(session, valid, options, profiled, warnings);
  if (acted === null) return warned(yield* liquidateChunks(session, valid, profiled, chunkSteps, keepFills), warnings);
  const pooled = session.openBook(acted);
  try {
    return warned(yield* liquidateChunks(pooled, valid, profiled, chunkSteps, keepFills), warnings);
  } finally {
    pooled.release();
  }
}

/** What the cross policy's report says when the caller's session was not liquidated in place. */
const POOLED_NOT_WRITTEN = {
  path: 'params.subaccounts.policy',
  message: 'cross: the pooled book was liquidated (each group one account under its master\'s id); the session\'s layout is unchanged, as a pool\'s closes are not its members\'',
};

/**
 * The book the policy has liquidation act on: the pooled book of `cross`, or null for the session's own layout (no
 * policy, `independent`, or `backstop`, whose covers are paid into the layout here), which the session is told the
 * liquidation changes.
 */
function actOn(session: MarginSession, market: ValidatedMarket, options: LiquidateOptions, profiled: LiquidateOptions, warnings: InputProblem[]): ValidatedBook | null {
  const policy = session.subaccountPolicy(options);
  const action = policy === null ? null : policyAction(session, market, marginOptionsIn(options), profiled.method ?? session.registry.defaultName, policy);
  if (action?.kind === 'pooled') return action.book;
  if (action?.kind === 'covers') {
    payCovers(session.layout, session.book, action.covers); // worked out on the book before they are paid
    warnings.push(coversPaid(action.covers)); // the cash they moved is in no step: the report says so
  }
  session.changedInPlace();
  return null;
}

/** The note of the backstop's covers paid before the liquidation: how many, their sum, the first few by account. */
function coversPaid(covers: ReadonlyMap<string, number>): InputProblem {
  let total = 0;
  for (const usd of covers.values()) total += usd;
  const first = [...covers].slice(0, 5).map(([id, usd]) => `${id} ${money(usd)}`).join(', ');
  const more = covers.size > 5 ? `, and ${covers.size - 5} more` : '';
  return { path: 'params.subaccounts.policy', message: `backstop: masters paid ${covers.size} cover${covers.size === 1 ? '' : 's'} of ${money(total)} USD into their subaccounts before the liquidation (${first}${more}): cash moved master → subaccount, in no step of the plan` };
}

/**
 * `market` validated, after refusing the liquidation parameters' asset keys it does not price as unknown fields
 * (warnings under `lenient`: a misspelt `slippage.BTX` or `stableAssets` entry would silently leave the asset on the
 * default: src/model/asset-keys.ts).
 */
function knownAssets(market: ValidatedMarket | unknown, options: LiquidateOptions): { valid: ValidatedMarket; warnings: InputProblem[] } {
  const valid = isValidatedMarket(market) ? market : validateMarket(market);
  const problems = new ProblemList({ lenient: options.lenient === true });
  for (const section of liquidationSections(options)) {
    for (const p of unknownAssetProblems(section.json, section.path, [...valid.assets.keys()], LIQUIDATION_ASSET_KEYS)) problems.addUnknown(p.path, p.message);
  }
  problems.throwIfAny();
  return { valid, warnings: problems.takeWarnings() };
}

/** `report` with `warnings` after its own (the same report when there are none). */
function warned(report: LiquidationReport, warnings: readonly InputProblem[]): LiquidationReport {
  return warnings.length === 0 ? report : withWarnings(report, [...(report.warnings ?? []), ...warnings]);
}
