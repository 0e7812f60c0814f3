/**
 * The params schema's parts no method owns: the header, the rule-based sections every method's equity reads
 * (linear, options, collateral), the engine's sections (liquidation, stress, locations, subaccounts, dynamic) and
 * the shared subschemas a method's fragment may refer to (`#/$defs/fraction`, `upTo`, `rateBrackets`,
 * `haircutBrackets`). src/schemas/generate.ts puts the methods' sections between them.
 */
import { boolean, choice, integer, list, map, models, nullable, number, orNull, record, ref, section, string, type JsonSchema } from '../model/schema-builder.js';

export const PARAMS_HEADER: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://margin-core.dev/schemas/params.schema.json',
  title: 'margin-core risk parameters',
  description: 'Merged over the defaults. Rule-based sections (linear, options, collateral) serve every method\'s equity and the isolated and cross methods; portfolio and var are those methods\' own sections. Rates and haircuts are fractions (0.01 = 1%), bounds in USD. Keys of the per-asset maps are asset symbols or "default".',
  type: 'object',
  additionalProperties: false,
};

const fraction = ref('fraction');
const share = number('[0, 1]');

/** Sections before the methods' (in properties order). */
export const PARAMS_SHARED: Readonly<Record<string, JsonSchema>> = {
  $schema: string(),
  linear: map(ref('rateBrackets')),
  options: map(record({ imBase: fraction, imFloor: fraction, mmRate: fraction })),
  linearSize: map(
    record({ imPerUnit: fraction, mmPerUnit: fraction }),
    'A linear rate that grows with the position\'s size in units of the underlying (Deribit\'s futures: 0.005% per BTC): IM = bracket IM + notional × imPerUnit × size, MM likewise. Absent: none.',
  ),
  collateral: map(record({
    brackets: ref('haircutBrackets'),
    liabilityWeightIm: number('[1, ∞)'),
    liabilityWeightMm: number('[1, ∞)'),
  }, ['liabilityWeightIm', 'liabilityWeightMm'])),
};

/** Market impact's permanent share and spot–vol beta, on top of a slippage model's own fields. */
const impactExtras = { permanent: share, spotVolBeta: number('[-100, 100]') };

/** Sections after the methods'; `dynamic.methods` lists the methods with a dynamic-margin hook (filled in by generation). */
export const PARAMS_ENGINE: Readonly<Record<string, JsonSchema>> = {
  liquidation: section({
    target: choice(['mm-buffer', 'im']),
    buffer: number('[0, ∞)'),
    maxFractionPerStep: number('(0, 1]'),
    maxNotionalPerStep: orNull(number('(0, ∞)')),
    smallShortfallUsd: number('[0, ∞)'),
    order: choice(['efficiency', 'largest-notional', 'linear-first']),
    feeRate: share,
    optionFeeCap: share,
    feeSplit: record({ liquidator: share, insuranceFund: share }),
    collateralDiscount: number('[0, 1)'),
    stableAssets: list(string(true)),
    insuranceFund: section({ balanceUsd: number('[0, ∞)'), maxPerStepUsd: orNull(number('[0, ∞)')) }),
    adl: choice(['queue', 'pro-rata']),
    slippage: map(models({
      none: {},
      linear: { fields: { pricePerUnit: number('[0, ∞)') } },
      sqrt: { fields: { y: number('[0, ∞)'), advUsd: number('(0, ∞)') } },
    })),
    optionSpreadVol: number('[0, ∞)'),
    maxStepsPerAccount: integer('[1, ∞)'),
  }, 'The liquidation engine\'s rules (src/liquidation/params.ts; README Liquidation).'),
  stress: section({
    impact: map(models({
      none: {},
      linear: { fields: { pricePerUnit: number('[0, ∞)'), ...impactExtras }, optional: Object.keys(impactExtras) },
      sqrt: { fields: { y: number('[0, ∞)'), advUsd: number('(0, ∞)'), ...impactExtras }, optional: Object.keys(impactExtras) },
    })),
    contagion: boolean(),
    maxRounds: integer('[1, 10000]'),
    priceTolerance: number('[0, ∞)'),
  }, 'Market impact and the cascade loop\'s stops (src/stress/params.ts; README Stress testing).'),
  locations: section({
    horizonHours: number('[0, ∞)', 'Liquidation horizon in hours (default 1).'),
    delayRule: choice(['exclude-mm', 'haircut'], 'What late collateral counts for MM (default exclude-mm).'),
    at: map(section({
      haircut: number('[0, 1)', 'Extra haircut (decimal) on positive balances held there, IM and MM.'),
      delayHours: number('[0, ∞)', 'Hours for collateral there to reach the margin account.'),
    })),
  }, 'Collateral by location (docs/locations.md): the chains and venues a balance may sit at, each with an extra haircut and a settlement delay; collateral arriving after the liquidation horizon counts for IM but not MM (exclude-mm) or with a haircut σ·√delay (haircut).'),
  subaccounts: section({
    policy: choice(['independent', 'cross', 'backstop'], 'independent (default): each account alone; cross: one pool per master under the master\'s method; backstop: the master\'s free collateral covers subaccount shortfalls below MM.'),
  }, 'How a master and its subaccounts (book accounts[].master) are margined together (docs/subaccounts.md).'),
  dynamic: section({
    methods: list(choice([])),
    volAnnual: map(number('[0, 10]')),
    multipliers: map(number('[1, 100]')),
    horizonDays: number('(0, 365]'),
    periodsPerYear: number('[1, 8784]'),
    portfolio: section({ k: number('(0, 20]') }),
    ruleBased: section({ baseVolAnnual: map(number('(0, 10]')), floor: number('(0, 100]') }),
    forecast: section({ model: choice(['ewma', 'garch']), lambda: number('(0, 1)'), refitDays: integer('[1, 100000]') }),
    apc: section({
      tool: choice(['buffer', 'stressed-weight', 'lookback-floor', null]),
      bufferRate: number('[0.25, 10]'),
      releaseOnRise: number('[0, ∞)'),
      releaseWindowDays: integer('[1, 3650]'),
      stressedWeight: number('[0.25, 1]'),
      maxDailyIncrease: orNull(number('(0, ∞)')),
    }),
    circuitBreaker: section({
      horizonDays: integer('[1, 3650]'),
      trip: number('(0, ∞)'),
      release: number('[0, ∞)'),
      stepUp: number('[1, 100]'),
    }),
  }, 'Volatility-driven margin (docs/dynamic-margin.md): the methods that follow the forecast, the forecast per asset, the mapping, the anti-procyclicality tool and the circuit breaker.'),
};

/** Brackets of a per-asset table by notional (`upTo` USD, the last open) with two fractions each. */
const brackets = (im: string, mm: string): JsonSchema => list(record({ upTo: ref('upTo'), [im]: fraction, [mm]: fraction }, ['upTo']), { minItems: 1, maxItems: 16 });

export const PARAMS_SHARED_DEFS: Readonly<Record<string, JsonSchema>> = {
  fraction: share,
  upTo: nullable(number('(0, ∞)', 'USD; omitted or null on the last bracket (unbounded)')),
  rateBrackets: brackets('imRate', 'mmRate'),
  haircutBrackets: brackets('imHaircut', 'mmHaircut'),
};
