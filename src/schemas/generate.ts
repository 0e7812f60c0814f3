/**
 * schemas/params.schema.json and schemas/report.schema.json, generated from the methods of a registry: the parts no
 * method owns (params-base.ts, report-base.ts) with each method's fragment ({@link MarginMethodPlugin.schema}) in
 * registry order, and the domain's bounds written in (src/model/domain-schemas.ts). `npm run schemas` writes the files
 * from the built-in methods; test/schemas-generated.test.ts fails when a committed file is not what this writes.
 */
import { applyDomain, schemaText } from '../model/domain-schemas.js';
import type { MarginMethodPlugin } from '../methods/method.js';
import type { JsonSchema } from '../methods/method-schema.js';
import { PARAMS_ENGINE, PARAMS_HEADER, PARAMS_SHARED, PARAMS_SHARED_DEFS } from './params-base.js';
import { reportAccount, REPORT_SHARED_DEFS, REPORT_TOP } from './report-base.js';

type Json = Record<string, unknown>;
type Methods = readonly Pick<MarginMethodPlugin, 'name' | 'section' | 'schema' | 'dynamic'>[];

/** The params schema for `methods`: its sections in registry order between the shared and the engine's ones. */
export function paramsSchema(methods: Methods): Json {
  const properties: Json = clone(PARAMS_SHARED);
  const defs: Json = clone(PARAMS_SHARED_DEFS);
  for (const m of methods) {
    if (m.section === null) continue;
    const params = m.schema?.params;
    if (params === undefined) throw new Error(`margin-core: method ${JSON.stringify(m.name)} reads params.${m.section} but its plug-in declares no schema.params`);
    claim(properties, m.section, clone(params), `params section ${JSON.stringify(m.section)} of method ${JSON.stringify(m.name)}`);
    for (const [name, def] of Object.entries(m.schema?.paramsDefs ?? {})) claim(defs, name, clone(def), `params $defs/${name} of method ${JSON.stringify(m.name)}`);
  }
  for (const [name, section] of Object.entries(PARAMS_ENGINE)) claim(properties, name, clone(section), `params section ${JSON.stringify(name)} (the engine's)`);
  // the methods a forecast can drive: those with a dynamic-margin hook
  const dynamicMethods = ((properties.dynamic as Json).properties as Json).methods as Json;
  (dynamicMethods.items as Json).enum = methods.filter((m) => m.dynamic !== undefined).map((m) => m.name);
  return applyDomain({ ...clone(PARAMS_HEADER), properties, $defs: defs }, 'params');
}

/** The report schema for `methods`: an account row holds each method's breakdown part under the method's name. */
export function reportSchema(methods: Methods): Json {
  const account = reportAccount() as Json;
  const rowFields = account.properties as Json;
  const defs: Json = { ...clone(REPORT_SHARED_DEFS), account };
  for (const m of methods) {
    const explain = m.schema?.explain;
    if (explain === undefined) continue;
    claim(rowFields, m.name, clone(explain), `report row field ${JSON.stringify(m.name)} of method ${JSON.stringify(m.name)}`);
    for (const [name, def] of Object.entries(m.schema?.explainDefs ?? {})) claim(defs, name, clone(def), `report $defs/${name} of method ${JSON.stringify(m.name)}`);
  }
  return { ...clone(REPORT_TOP), $defs: defs };
}

/** Both generated files' text for `methods`, by file name under schemas/. */
export function methodSchemaFiles(methods: Methods): Record<'params.schema.json' | 'report.schema.json', string> {
  return {
    'params.schema.json': schemaText(paramsSchema(methods), 'params'),
    'report.schema.json': schemaText(reportSchema(methods), 'report'),
  };
}

function claim(into: Json, key: string, value: JsonSchema, what: string): void {
  if (Object.hasOwn(into, key)) throw new Error(`margin-core: ${what} is already taken in the schema`);
  into[key] = value;
}

function clone<T>(x: T): T & Json {
  return structuredClone(x) as T & Json;
}
