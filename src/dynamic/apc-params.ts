/**
 * Checks the anti-procyclicality and circuit-breaker parameters (JSON) of the `dynamic` params section and merges
 * them over the defaults, every problem with its path: `params.dynamic.apc.bufferRate: 0.2 is below 0.25 (EMIR RTS
 * 153/2013 Art. 28(1)(a): at least 25% of the calculated margin)`.
 */
import { describeValue, type ProblemList } from '../errors.js';
import { boundedNumber, checkFields, countDefined, isRecord, knownFields } from '../model/checks.js';
import { type ApcParams, type ApcTool, DEFAULT_APC_PARAMS } from './apc.js';
import { type CircuitBreakerParams, DEFAULT_CIRCUIT_BREAKER } from './circuit-breaker.js';

const APC_FIELDS = knownFields(...Object.keys(DEFAULT_APC_PARAMS));
const BREAKER_FIELDS = knownFields(...Object.keys(DEFAULT_CIRCUIT_BREAKER));
const TOOLS: readonly ApcTool[] = ['buffer', 'stressed-weight', 'lookback-floor'];
/** Art. 28(1)(a) and (b): at least 25%. */
const REGULATORY_MIN = 0.25;

export function checkApcParams(json: unknown, path: string, problems: ProblemList): ApcParams {
  const out: ApcParams = { ...DEFAULT_APC_PARAMS };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(path, `expected an object, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, APC_FIELDS, countDefined(json, APC_FIELDS.names), path, problems);
  if (json.tool !== undefined) {
    if (json.tool === null || (typeof json.tool === 'string' && (TOOLS as readonly string[]).includes(json.tool))) out.tool = json.tool as ApcTool | null;
    else problems.add(`${path}.tool`, `expected ${TOOLS.map((t) => JSON.stringify(t)).join(', ')} or null, got ${describeValue(json.tool)}`);
  }
  const buffer = boundedNumber(json.bufferRate, `${path}.bufferRate`, problems, { min: 0, max: 10 });
  if (buffer !== undefined && buffer < REGULATORY_MIN) problems.add(`${path}.bufferRate`, `${buffer} is below ${REGULATORY_MIN} (EMIR RTS 153/2013 Art. 28(1)(a): at least 25% of the calculated margin)`);
  else if (buffer !== undefined) out.bufferRate = buffer;
  out.releaseOnRise = boundedNumber(json.releaseOnRise, `${path}.releaseOnRise`, problems, { min: 0 }) ?? out.releaseOnRise;
  const window = boundedNumber(json.releaseWindowDays, `${path}.releaseWindowDays`, problems, { min: 1, max: 3650 });
  if (window !== undefined && !Number.isInteger(window)) problems.add(`${path}.releaseWindowDays`, `expected a whole number of days, got ${window}`);
  else if (window !== undefined) out.releaseWindowDays = window;
  const weight = boundedNumber(json.stressedWeight, `${path}.stressedWeight`, problems, { min: 0, max: 1 });
  if (weight !== undefined && weight < REGULATORY_MIN) problems.add(`${path}.stressedWeight`, `${weight} is below ${REGULATORY_MIN} (EMIR RTS 153/2013 Art. 28(1)(b): at least 25% weight on stressed observations)`);
  else if (weight !== undefined) out.stressedWeight = weight;
  if (json.maxDailyIncrease === null) out.maxDailyIncrease = null;
  else out.maxDailyIncrease = boundedNumber(json.maxDailyIncrease, `${path}.maxDailyIncrease`, problems, { min: 0, minOpen: true }) ?? out.maxDailyIncrease;
  return out;
}

export function checkCircuitBreakerParams(json: unknown, path: string, problems: ProblemList): CircuitBreakerParams {
  const out: CircuitBreakerParams = { ...DEFAULT_CIRCUIT_BREAKER };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(path, `expected an object, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, BREAKER_FIELDS, countDefined(json, BREAKER_FIELDS.names), path, problems);
  const horizon = boundedNumber(json.horizonDays, `${path}.horizonDays`, problems, { min: 1, max: 3650 });
  if (horizon !== undefined && !Number.isInteger(horizon)) problems.add(`${path}.horizonDays`, `expected a whole number of days, got ${horizon}`);
  else if (horizon !== undefined) out.horizonDays = horizon;
  out.trip = boundedNumber(json.trip, `${path}.trip`, problems, { min: 0, minOpen: true }) ?? out.trip;
  out.release = boundedNumber(json.release, `${path}.release`, problems, { min: 0 }) ?? out.release;
  if (out.release > out.trip) problems.add(`${path}.release`, `${out.release} is above trip (${out.trip}): it must release at a smaller move than it trips at`);
  out.stepUp = boundedNumber(json.stepUp, `${path}.stepUp`, problems, { min: 1, max: 100 }) ?? out.stepUp;
  return out;
}
