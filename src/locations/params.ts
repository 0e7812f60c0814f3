/**
 * The `locations` params section: where collateral sits (a chain or a venue) and what that costs at margin time.
 *
 *     "locations": {
 *       "horizonHours": 1,              // liquidation horizon: collateral arriving later cannot be sold in time
 *       "delayRule": "exclude-mm",      // or "haircut": MM counts it less σ·√delay instead of not at all
 *       "at": { "arbitrum": { "haircut": 0.01, "delayHours": 0.25 }, "ethereum": { "haircut": 0, "delayHours": 2 } }
 *     }
 *
 * Every field is checked with its path (`params.locations.at.arbitrum.delayHours: -1 is below 0`).
 */
import { describeValue, ProblemList, type ProblemListOptions } from '../errors.js';
import { boundedNumber as number, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../model/checks.js';

/** What collateral at a location that cannot arrive within the horizon is worth for MM. */
export type DelayRule = 'exclude-mm' | 'haircut';
export const DELAY_RULES: readonly DelayRule[] = ['exclude-mm', 'haircut'];

export interface Location {
  /** Extra haircut (decimal in [0, 1)) on positive balances held there, for IM and MM, after the asset's own haircut. */
  readonly haircut: number;
  /** Hours for collateral there to reach the margin account (≥ 0): a bridge or a venue withdrawal. */
  readonly delayHours: number;
}

export interface LocationParams {
  /** Liquidation horizon in hours (≥ 0): collateral with a longer settlement delay does not count fully for MM. */
  readonly horizonHours: number;
  readonly delayRule: DelayRule;
  /** The known locations by name (a record with no prototype: names are data). */
  readonly at: Readonly<Record<string, Location>>;
}

export const DEFAULT_LOCATION_PARAMS: LocationParams = { horizonHours: 1, delayRule: 'exclude-mm', at: dataRecord<Location>() };

const FIELDS = knownFields('horizonHours', 'delayRule', 'at');
const LOCATION_FIELDS = knownFields('haircut', 'delayHours');
const PATH = 'params.locations';

export function validateLocationParams(json: unknown, options: ProblemListOptions = {}): LocationParams {
  const problems = new ProblemList(options);
  const out = checkLocationParams(json, problems);
  problems.throwIfAny();
  return out;
}

/** As {@link validateLocationParams}, adding problems (and lenient warnings) to `problems`. */
export function checkLocationParams(json: unknown, problems: ProblemList): LocationParams {
  if (json === undefined) return DEFAULT_LOCATION_PARAMS;
  if (!isRecord(json)) {
    problems.add(PATH, `expected an object, got ${describeValue(json)}`);
    return DEFAULT_LOCATION_PARAMS;
  }
  checkFields(json, FIELDS, countDefined(json, FIELDS.names), PATH, problems);
  const horizonHours = number(json.horizonHours, `${PATH}.horizonHours`, problems, { min: 0 }) ?? DEFAULT_LOCATION_PARAMS.horizonHours;
  let delayRule = DEFAULT_LOCATION_PARAMS.delayRule;
  if (json.delayRule !== undefined) {
    if (DELAY_RULES.includes(json.delayRule as DelayRule)) delayRule = json.delayRule as DelayRule;
    else problems.add(`${PATH}.delayRule`, `expected "exclude-mm" or "haircut", got ${describeValue(json.delayRule)}`);
  }
  const at = dataRecord<Location>();
  if (json.at !== undefined) {
    if (!isRecord(json.at)) problems.add(`${PATH}.at`, `expected an object of locations by name, got ${describeValue(json.at)}`);
    else {
      for (const [name, value] of ownEntries(json.at)) {
        const path = keyPath(`${PATH}.at`, name);
        if (!isRecord(value)) {
          problems.add(path, `expected { haircut, delayHours }, got ${describeValue(value)}`);
          continue;
        }
        checkFields(value, LOCATION_FIELDS, countDefined(value, LOCATION_FIELDS.names), path, problems);
        // both required: a location written without one would read as no haircut or no delay, silently
        const haircut = number(value.haircut, `${path}.haircut`, problems, { min: 0, max: 1, maxOpen: true, required: true }) ?? 0;
        const delayHours = number(value.delayHours, `${path}.delayHours`, problems, { min: 0, required: true }) ?? 0;
        at[name] = { haircut, delayHours };
      }
    }
  }
  return { horizonHours, delayRule, at };
}
