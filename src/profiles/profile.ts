/**
 * Methodology profiles: a named, versioned margin method with its parameters, so that a venue's methodology is
 * chosen by name (`{ profile: 'deribit' }`, CLI `--profile deribit`) and stays what it was when the library's
 * defaults move on. A profile is data: the method it runs and a params JSON with every section that method reads;
 * the caller's `params` are merged over it field by field (objects merged key by key, arrays and numbers replaced)
 * and the result is validated like any params file, with the same paths (`params.portfolio.assets.default.spotRange`).
 */
import { describeValue, InputError } from '../errors.js';
import { isRecord, nearestName } from '../model/checks.js';

export interface ProfileSource {
  title: string;
  url?: string | undefined;
  /** What the profile takes from it. */
  used: string;
}

export interface MethodologyProfile {
  /** The name users select it by (`deribit`). */
  name: string;
  /** The methodology's version the parameters transcribe (e.g. the date of the published parameter set). */
  version: string;
  /** The margin method it runs (a registered method's name). */
  method: string;
  description: string;
  /** Where each parameter comes from; what is margin-core's own modelling is said in `notes`. */
  sources: readonly ProfileSource[];
  notes: readonly string[];
  /** A params JSON: every section the method reads, written out in full. */
  params: Readonly<Record<string, unknown>>;
}

/** The options a profile touches: the method and the params (the rest of an options object passes through). */
export interface ProfileOptions {
  profile?: string | undefined;
  method?: string | undefined;
  params?: unknown;
}

/**
 * `options` with its profile applied: the profile's method (unless the caller named the same one) and its params with
 * the caller's merged over them; without a profile, `options` itself. Throws InputError for an unknown profile (listing
 * the known ones) or a method that contradicts the profile's.
 */
export function applyProfile<T extends ProfileOptions>(options: T, profiles: readonly MethodologyProfile[]): Omit<T, 'profile'> {
  if (options.profile === undefined) return options;
  const profile = findProfile(options.profile, profiles);
  if (options.method !== undefined && options.method !== profile.method) {
    throw new InputError([{
      path: 'options.method',
      message: `${JSON.stringify(options.method)} contradicts profile ${JSON.stringify(profile.name)}, which runs ${JSON.stringify(profile.method)}: leave the method out, or name ${JSON.stringify(profile.method)}`,
    }]);
  }
  const { profile: _profile, ...rest } = options;
  return { ...rest, method: profile.method, params: mergeParams(profile.params, options.params) };
}

/** The profile named `name`; an InputError listing the known profiles (and the nearest name) otherwise. */
export function findProfile(name: unknown, profiles: readonly MethodologyProfile[]): MethodologyProfile {
  const names = profiles.map((p) => p.name);
  const found = typeof name === 'string' ? profiles.find((p) => p.name === name) : undefined;
  if (found) return found;
  const near = typeof name === 'string' ? nearestName(name, names) : undefined;
  throw new InputError([{
    path: 'options.profile',
    message: `unknown profile ${describeValue(name)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; the profiles are ${names.join(', ')}`,
  }]);
}

/**
 * `over` merged into `base`: plain objects key by key (recursively), anything else (numbers, strings, arrays, null)
 * replaces. Keys are data (an asset named `__proto__` is an own key of the result), and neither input is changed.
 * A non-object `over` (a caller's params that are not an object) is returned as it is, for the validator to reject.
 */
export function mergeParams(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isRecord(base) || !isRecord(over)) return over; // a Map or another instance is no section to merge into: as given
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(base)) out[key] = base[key];
  for (const key of Object.keys(over)) out[key] = Object.hasOwn(out, key) ? mergeParams(out[key], over[key]) : over[key];
  return out;
}

