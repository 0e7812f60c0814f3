/**
 * The margin methods this build implements, in the order reports, comparisons and the CLI list them. Adding a method:
 * a folder beside these (src/methods/<name>/) whose `manifest.ts` exports its MethodManifest (src/methods/manifest.ts),
 * and its line in the list below (with its import, and the import of its `declare module` block in the block for the
 * published types). Everything that lists methods (the entries, the generated schemas, the fingerprint tables, the
 * method lists of the tests and docs) reads this list; test/methods/add-a-method.test.ts proves it in a copy.
 */
import type { MarginMethod } from '../margin/report.js';
import type { MarginMethodPlugin } from './method.js';
import { type MethodManifest, MethodRegistrationError } from './manifest.js';
import { ENGINE_CAPABILITIES } from './engines/capabilities.js';
import { describeValue, InputError } from '../errors.js';
import { nearestName } from '../model/checks.js';
import { ENGINE_SECTIONS, RULE_SECTIONS } from '../model/param-sections.js';
import { isolatedManifest } from './isolated/manifest.js';
import { crossManifest } from './cross/manifest.js';
import { portfolioManifest } from './portfolio/manifest.js';
import { varManifest } from './var/manifest.js';
import { spanManifest } from './span/manifest.js';
import { deriveManifest } from './derive/manifest.js';
import { deribitManifest } from './deribit/manifest.js';

// The same modules again, for the published types: a declaration file keeps only the imports its types need, and
// these add each method's name, params and report section to MarginMethods (`declare module`), so every entry whose
// types reach this registry types `{ method: 'portfolio' }` as the docs write it (test/package/types.test.ts).
import './isolated/index.js';
import './cross/index.js';
import './portfolio/types.js';
import './var/types.js';
import './span/types.js';
import './derive/types.js';
import './deribit/index.js';

export const BUILT_IN_MANIFESTS: readonly MethodManifest[] = [isolatedManifest, crossManifest, portfolioManifest, varManifest, spanManifest, deriveManifest, deribitManifest];

// frozen, each plugin too: a caller's write into an exported method would change every later engine's
export const BUILT_IN_METHODS: readonly MarginMethodPlugin[] = Object.freeze(BUILT_IN_MANIFESTS.map((m) => Object.freeze(m.plugin)));

/** True for a method this library ships (its run is not wrapped in the engine's plug-in guard: plugin-guard.ts). */
export function isBuiltInMethod(method: MarginMethodPlugin): boolean {
  return BUILT_IN_METHODS.includes(method);
}

/** A method's name: lowercase letters and digits in hyphenated words, as `--method` and `options.method` take it. */
const METHOD_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** A name a method may not take: `all` asks for every method (stress, compare). */
const RESERVED_NAME = 'all';
const RESERVED_SECTIONS: readonly string[] = [...RULE_SECTIONS, ...ENGINE_SECTIONS];

/**
 * A method's name and params section, against the registry's so far (`sections`: section → the method that claimed
 * it): a name the CLI and the params can carry, and a section of its own: not one the engine reads, nor another
 * method's with another validator (each would refuse the other's fields; a variant of a method that validates its
 * section with the same function shares it).
 */
function checkNaming(m: MarginMethodPlugin, sections: Map<string, MarginMethodPlugin>): void {
  const name: unknown = m.name;
  if (typeof name !== 'string' || !METHOD_NAME.test(name) || name === RESERVED_NAME) {
    throw new MethodRegistrationError(String(name), null, `a margin method's name is lowercase letters and digits in hyphenated words, and not "all": got ${JSON.stringify(name)}`);
  }
  const section: unknown = m.section;
  if (section === null) return;
  if (typeof section !== 'string' || section === '' || section === '__proto__') throw new MethodRegistrationError(name, null, `method ${name}: its params section must be a name, or null: got ${JSON.stringify(section)}`);
  if (RESERVED_SECTIONS.includes(section)) throw new MethodRegistrationError(name, null, `method ${name}: the params section "${section}" is the engine's (${RESERVED_SECTIONS.join(', ')}): name one of its own`);
  const owner = sections.get(section);
  if (owner !== undefined && owner.validateParams !== m.validateParams) throw new MethodRegistrationError(name, null, `method ${name}: the params section "${section}" is method ${owner.name}'s already`);
  sections.set(section, m);
}

/** The names of the built-in methods, in order. */
export const MARGIN_METHODS = Object.freeze(BUILT_IN_METHODS.map((m) => m.name)) as readonly MarginMethod[];

/** Methods by name; rejects duplicate names (two plug-ins claiming one name would be ambiguous). */
export class MethodRegistry {
  private readonly byName = new Map<string, MarginMethodPlugin>();

  /** The method used when a call names none: `cross` when the registry has it, else the first. */
  readonly defaultName: string;

  constructor(readonly methods: readonly MarginMethodPlugin[] = BUILT_IN_METHODS) {
    if (methods.length === 0) throw new TypeError('a method registry needs at least one margin method');
    const provided = new Set(ENGINE_CAPABILITIES);
    const sections = new Map<string, MarginMethodPlugin>();
    for (const m of methods) {
      if (this.byName.has(m.name)) throw new MethodRegistrationError(m.name, null, `two margin methods are named ${JSON.stringify(m.name)}`);
      checkNaming(m, sections);
      checkNeeds(m, this.byName, provided);
      this.byName.set(m.name, m);
      for (const c of m.provides ?? []) provided.add(c);
    }
    this.defaultName = this.byName.has('cross') ? 'cross' : methods[0].name;
    this.sectionList = Object.freeze(methods.flatMap((m) => (m.section === null ? [] : [m.section])));
  }

  /** Method names in order. */
  get names(): string[] {
    return this.methods.map((m) => m.name);
  }

  /** The names of the methods a volatility forecast can drive (those with a dynamic-margin hook), in order. */
  get dynamicNames(): string[] {
    return this.methods.filter((m) => m.dynamic !== undefined).map((m) => m.name);
  }

  /** The params sections the methods read (besides the shared rule-based ones). */
  get sections(): readonly string[] {
    return this.sectionList;
  }

  /** `sections`, listed once (the methods never change): every margin and liquidation call validates against it. */
  private readonly sectionList: readonly string[];

  get(name: unknown): MarginMethodPlugin | undefined {
    return typeof name === 'string' ? this.byName.get(name) : undefined;
  }

  has(name: unknown): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * The method named `name`, or an InputError at `path` (`options.method`, `--method`) that names the value, the
   * nearest method name and the list: one message for every entry point (library, CLI, service, page).
   */
  require(name: unknown, path = 'options.method'): MarginMethodPlugin {
    const method = this.get(name);
    if (method) return method;
    throw new InputError([{ path, message: unknownMethodMessage(name, this.names) }]);
  }

  /** For error messages: `isolated, cross, portfolio, var or span`. */
  list(conjunction = 'or'): string {
    const m = this.names;
    return m.length === 1 ? m[0] : `${m.slice(0, -1).join(', ')} ${conjunction} ${m[m.length - 1]}`;
  }
}

/**
 * Fastify-style registration: a method's needs are met by the methods before it (by name, or what they `provides`)
 * and the shared engines; otherwise it is refused, naming it and the first need missing.
 */
function checkNeeds(m: MarginMethodPlugin, registered: ReadonlyMap<string, MarginMethodPlugin>, provided: ReadonlySet<string>): void {
  const name = JSON.stringify(m.name);
  for (const method of m.needs?.methods ?? []) {
    if (!registered.has(method)) {
      throw new MethodRegistrationError(m.name, `method ${method}`, `margin method ${name} needs the method ${JSON.stringify(method)} registered before it; registered: ${[...registered.keys()].join(', ') || 'none'}`);
    }
  }
  for (const capability of m.needs?.capabilities ?? []) {
    if (!provided.has(capability)) {
      throw new MethodRegistrationError(m.name, `capability ${capability}`, `margin method ${name} needs the capability ${JSON.stringify(capability)}, which neither the shared engines nor a method registered before it provide (provided: ${[...provided].join(', ')})`);
    }
  }
}

/**
 * `unknown method "portfolo" (did you mean "portfolio"?); expected isolated, cross, portfolio, var, span or derive`:
 * the value exactly as given, the nearest name when it looks like a slip, and the names `names` accepts.
 */
export function unknownMethodMessage(value: unknown, names: readonly string[]): string {
  const near = typeof value === 'string' ? nearestName(value, names) : null;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  const given = typeof value === 'string' ? describeValue(value) : value === undefined ? 'undefined' : `${JSON.stringify(value) ?? String(value)} (not a string)`;
  return `unknown method ${given}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; expected ${list}`;
}

/** The registry of the built-in methods. */
export const BUILT_IN_REGISTRY = new MethodRegistry();

/** True for the name of a built-in method. */
export function isMarginMethod(x: unknown): x is MarginMethod {
  return BUILT_IN_REGISTRY.has(x);
}

/** For error messages: `isolated, cross, portfolio, var or span`. */
export function methodList(conjunction = 'or'): string {
  return BUILT_IN_REGISTRY.list(conjunction);
}
