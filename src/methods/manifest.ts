/**
 * A method as one package: everything the rest of the repository needs to know about a method, gathered in one value
 * its folder exports (`src/methods/<name>/manifest.ts`). The registry (src/methods/registry.ts) lists manifests; the
 * entries, the generated schemas, the fingerprint tables of the tests and the method lists in tests and docs are all
 * read from it, so adding an in-tree method is its folder and its line in the registry's list.
 *
 * What it needs and provides beside other methods is its plug-in's (`needs`, `provides`: checked at registration).
 * The parameter type is the manifest's `P`; the explain type is the folder's `declare module` block on
 * `AccountMargin`, and the params type's entry in `MarginMethods` (src/margin/report.ts).
 */
import type { MarginMethodPlugin } from './method.js';

/** The two books every method's report fingerprints are recorded on (test/report-fingerprints.test.ts). */
export type FingerprintBook = 'sample' | 'generated10k';

/**
 * One margin call whose report bytes are recorded: the method under `params` on the repository's sample and on the
 * generated 10,000-account book (seed 7), as the first 32 hex digits of the SHA-256 of the report's JSON. A digest
 * that moves is a change of numbers, listed with its reason in the fingerprint test's history.
 */
export interface FingerprintCase {
  /** Its row in the table: the method's name for its defaults, else the method and what differs (`var monte-carlo`). */
  readonly name: string;
  /** The params object of the call (`{}`: the defaults), made when the case runs. */
  params(): Record<string, unknown>;
  readonly digests: Readonly<Record<FingerprintBook, string>>;
}

export interface MethodManifest<P = unknown> {
  /** The plug-in (its name, params validator, schema fragment, dynamic-margin hook and run). */
  readonly plugin: MarginMethodPlugin<P>;
  /** Its params section's values when the section is absent, or null when it reads no section of its own. */
  readonly defaults: Readonly<P> | null;
  /** The user docs page that describes it, from the package root: `docs/portfolio-margin.md`. */
  readonly docs: string;
  /** Its report fingerprint cases, its defaults first (test/report-fingerprints.test.ts runs every one). */
  readonly fingerprints: readonly FingerprintCase[];
}

/** The registry refuses a method: two of one name, or a need nothing registered before it provides. */
export class MethodRegistrationError extends TypeError {
  override readonly name = 'MethodRegistrationError';

  constructor(
    /** The method refused. */
    readonly method: string,
    /** What it lacks: `method portfolio`, `capability scenario-grid`; null for a duplicate name. */
    readonly missing: string | null,
    message: string,
  ) {
    super(message);
  }
}
