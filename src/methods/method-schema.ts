/**
 * A method's part of the published JSON Schemas (schemas/params.schema.json, schemas/report.schema.json), declared by
 * its plug-in ({@link MarginMethodPlugin.schema}): both files are generated from the methods of a registry
 * (src/schemas/generate.ts; `npm run schemas`), so a method added by a folder and a registry line is in them.
 */

import type { JsonSchema } from '../model/schema-builder.js';

export type { JsonSchema };

export interface MethodSchema {
  /**
   * Its params section (`params[section]`). Numbers carry their own bounds; generation adds the params bound (±1e15)
   * and the nonzero floor to every number (src/model/domain-schemas.ts), as the params validation does. It may refer to
   * the shared subschemas `#/$defs/fraction`, `upTo`, `rateBrackets`, `haircutBrackets` (src/schemas/params-base.ts)
   * and to its own {@link paramsDefs}.
   */
  readonly params?: JsonSchema | undefined;
  /** Subschemas its params refer to as `#/$defs/<name>`; names unique among the registry's methods. */
  readonly paramsDefs?: Readonly<Record<string, JsonSchema>> | undefined;
  /** Its part of a report row with breakdown, `accounts[].<method name>` (what its run's `explain` writes). */
  readonly explain?: JsonSchema | undefined;
  /** Subschemas its explain part refers to as `#/$defs/<name>` in the report schema; names unique as above. */
  readonly explainDefs?: Readonly<Record<string, JsonSchema>> | undefined;
}
