/**
 * margin-core/plugin's functions and ArrayLease as the package exports them: the library's own (same names,
 * signatures and results) behind a check of what a method's author passes (src/math-arguments.ts), so that a mistake
 * throws an InputError naming it by path (`model.bounds[0].norm.matrix`, `x[2]`, `methods[1].schema.params`, `length`)
 * instead of a NaN requirement, a TypeError from inside, or an array of length 0 for a length of NaN. The library's own
 * callers (the optimiser, the schema generator, the runs) use the unchecked ones.
 */
import { describeValue, ProblemList } from './errors.js';
import { isNonEmptyString, isRecord, keyPath, notStringMessage, type JsonRecord } from './model/checks.js';
import { requirementAt as requirementAtUnchecked, normVector, type RequirementModel } from './margin/requirement-model.js';
import { paramsSchema as paramsSchemaUnchecked, reportSchema as reportSchemaUnchecked } from './schemas/generate.js';
import { PARAMS_ENGINE, PARAMS_SHARED, PARAMS_SHARED_DEFS } from './schemas/params-base.js';
import { reportAccount, REPORT_SHARED_DEFS } from './schemas/report-base.js';
import type { MarginMethodPlugin } from './methods/method.js';
import { ArrayLease as UncheckedArrayLease } from './memory/array-lease.js';
import type { BufferPool } from './memory/allocators.js';
import { arrayOf, BOUNDS, checkedList, checkFlag, checkWhole, checkWithin, listOf, recordOf, refuse } from './math-arguments.js';

type Json = Record<string, unknown>;
type Methods = readonly Pick<MarginMethodPlugin, 'name' | 'section' | 'schema' | 'dynamic'>[];

/** R(x) with every term and bound: the model's requirement at x (USD). */
export function requirementAt(model: RequirementModel, x: ArrayLike<number>): { value: number; terms: Float64Array; bounds: Float64Array } {
  const problems = new ProblemList();
  const hedges = checkModel(model, problems);
  const xs = checkedList(x, 'x', BOUNDS.finite, problems);
  if (xs !== null && hedges !== null && xs.length !== hedges) problems.add('x', `${xs.length} quantity changes, expected one per candidate (model.hedges = ${hedges})`);
  problems.throwIfAny();
  const result = requirementAtUnchecked(model, x);
  checkFinite(model, x, result);
  return result;
}

/** The model's shape: its candidates, terms and bounds, every index in range, every number finite; its `hedges`, or null. */
function checkModel(model: unknown, problems: ProblemList): number | null {
  const given = recordOf(model, 'model', problems, 'a RequirementModel ({ hedges, terms, bounds })');
  if (given === null) return null;
  const hedges = checkWhole(given.hedges, 'model.hedges', 0, problems, 'a whole number of candidates') ? given.hedges : null;
  const terms = arrayOf(given.terms, 'model.terms', problems, 'an array of convex terms');
  const bounds = arrayOf(given.bounds, 'model.bounds', problems, 'an array of at least one bound');
  if (hedges === null || terms === null || bounds === null) return hedges;
  terms.forEach((term, t) => checkTerm(term, `model.terms[${t}]`, hedges, problems));
  if (bounds.length === 0) problems.add('model.bounds', 'empty (the requirement is the largest bound: at least one)');
  bounds.forEach((bound, b) => checkBound(bound, `model.bounds[${b}]`, hedges, terms.length, problems));
  return hedges;
}

function checkTerm(term: unknown, path: string, hedges: number, problems: ProblemList): void {
  const given = recordOf(term, path, problems, 'a convex term ({ label, constants, slopes })');
  if (given === null) return;
  const constants = checkedList(given.constants, `${path}.constants`, BOUNDS.finite, problems);
  const slopes = checkedList(given.slopes, `${path}.slopes`, BOUNDS.finite, problems);
  if (constants !== null && constants.length === 0) problems.add(`${path}.constants`, 'empty (a term is the largest of its pieces: at least one)');
  if (constants !== null && slopes !== null && slopes.length !== constants.length * hedges) {
    problems.add(`${path}.slopes`, `expected pieces × hedges = ${constants.length} × ${hedges} = ${constants.length * hedges} slopes (row-major), got ${slopes.length}`);
  }
}

function checkBound(bound: unknown, path: string, hedges: number, termCount: number, problems: ProblemList): void {
  const given = recordOf(bound, path, problems, 'a bound ({ label, constant, terms, norm? })');
  if (given === null) return;
  checkWithin(given.constant, `${path}.constant`, BOUNDS.finite, problems);
  const terms = arrayOf(given.terms, `${path}.terms`, problems, 'an array of { term, coef }');
  terms?.forEach((entry, k) => {
    const at = `${path}.terms[${k}]`, use = recordOf(entry, at, problems, 'a { term, coef }');
    if (use === null) return;
    checkIndex(use.term, `${at}.term`, termCount, problems);
    checkWithin(use.coef, `${at}.coef`, BOUNDS.finite, problems);
  });
  if (given.norm !== undefined) checkNorm(given.norm, `${path}.norm`, hedges, termCount, problems);
}

function checkNorm(norm: unknown, path: string, hedges: number, termCount: number, problems: ProblemList): void {
  const given = recordOf(norm, path, problems, 'a norm ({ scale, matrix, vector })');
  if (given === null) return;
  checkWithin(given.scale, `${path}.scale`, BOUNDS.finite, problems);
  const matrix = checkedList(given.matrix, `${path}.matrix`, BOUNDS.finite, problems);
  const m = vectorSize(given.vector, `${path}.vector`, hedges, termCount, problems);
  if (matrix !== null && m !== null && matrix.length !== m * m) problems.add(`${path}.matrix`, `expected ${m} × ${m} = ${m * m} entries for a vector of ${m} (row-major), got ${matrix.length}`);
}

/** The length of a norm's vector (its terms, or its affine base), or null with its problems. */
function vectorSize(vector: unknown, path: string, hedges: number, termCount: number, problems: ProblemList): number | null {
  const given = recordOf(vector, path, problems, 'a vector ({ kind: \'terms\', terms } or { kind: \'affine\', base, slopes })');
  if (given === null) return null;
  if (given.kind === 'terms') {
    const terms = listOf(given.terms, `${path}.terms`, problems, 'an Int32Array or an array of term indices');
    for (let k = 0; terms !== null && k < terms.length; k++) checkIndex(terms[k], `${path}.terms[${k}]`, termCount, problems);
    return terms?.length ?? null;
  }
  if (given.kind !== 'affine') {
    problems.add(`${path}.kind`, `expected "terms" or "affine", got ${describeValue(given.kind)}`);
    return null;
  }
  const base = checkedList(given.base, `${path}.base`, BOUNDS.finite, problems);
  const slopes = checkedList(given.slopes, `${path}.slopes`, BOUNDS.finite, problems);
  if (base !== null && slopes !== null && slopes.length !== base.length * hedges) {
    problems.add(`${path}.slopes`, `expected entries × hedges = ${base.length} × ${hedges} = ${base.length * hedges} slopes (row-major), got ${slopes.length}`);
  }
  return base?.length ?? null;
}

function checkIndex(value: unknown, path: string, count: number, problems: ProblemList): void {
  if (Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < count) return;
  problems.add(path, `expected the index of one of model.terms (0 to ${count - 1}), got ${describeValue(value)}`);
}

/**
 * The requirement's parts at x finite, else the first part that is not, by path: finite figures whose products or sums
 * overflow double precision (a norm's quadratic form too, which the requirement reads as 0 when it is not finite), and
 * a norm's form below 0 beyond rounding (its matrix not positive semidefinite: the requirement read it as 0 too).
 */
function checkFinite(model: RequirementModel, x: ArrayLike<number>, result: { terms: Float64Array; bounds: Float64Array }): void {
  const wrong = (v: number) => `its value at x is ${v}: the model's figures overflow double precision`;
  result.terms.forEach((v, t) => {
    if (!Number.isFinite(v)) refuse(`model.terms[${t}]`, wrong(v));
  });
  model.bounds.forEach((b, k) => {
    if (b.norm === undefined) return;
    // vᵀMv summed in normOf's order, so that what overflows there overflows here
    const v = normVector(b.norm, model.hedges, x, result.terms), m = v.length, matrix = b.norm.matrix;
    let q = 0, size = 0;
    for (let i = 0; i < m; i++) {
      let row = 0, rowSize = 0;
      for (let j = 0; j < m; j++) {
        row += matrix[i * m + j] * v[j];
        rowSize += Math.abs(matrix[i * m + j] * v[j]);
      }
      q += v[i] * row;
      size += Math.abs(v[i]) * rowSize;
    }
    if (!Number.isFinite(q)) refuse(`model.bounds[${k}].norm`, `its quadratic form at x is ${q}: the model's figures overflow double precision`);
    // the requirement reads a negative form as a norm of 0: beyond rounding, the matrix is not semidefinite, as M must be
    if (q < -1e-12 * size) refuse(`model.bounds[${k}].norm.matrix`, `its quadratic form at x is ${q} < 0: a norm's matrix must be positive semidefinite`);
  });
  result.bounds.forEach((v, b) => {
    if (!Number.isFinite(v)) refuse(`model.bounds[${b}]`, wrong(v));
  });
}

/** The params schema for `methods`: its sections in registry order between the shared and the engine's ones. */
export function paramsSchema(methods: Methods): Json {
  const problems = new ProblemList();
  const list = checkMethods(methods, problems);
  if (list !== null) checkParamsClaims(list, problems);
  problems.throwIfAny();
  return paramsSchemaUnchecked(methods);
}

/** The report schema for `methods`: an account row holds each method's breakdown part under the method's name. */
export function reportSchema(methods: Methods): Json {
  const problems = new ProblemList();
  const list = checkMethods(methods, problems);
  if (list !== null) checkReportClaims(list, problems);
  problems.throwIfAny();
  return reportSchemaUnchecked(methods);
}

/** The parts of a method's schema: JSON objects (the generated schema is JSON). */
const SCHEMA_PARTS = ['params', 'paramsDefs', 'explain', 'explainDefs'] as const;

/** `methods` as an array of plug-ins with a name, a section (a name or null) and JSON schema parts, or null. */
function checkMethods(methods: unknown, problems: ProblemList): readonly JsonRecord[] | null {
  const list = arrayOf(methods, 'methods', problems, 'an array of margin method plug-ins');
  if (list === null) return null;
  const plugins = list.map((m, i) => recordOf(m, `methods[${i}]`, problems, 'a margin method plug-in'));
  plugins.forEach((m, i) => {
    if (m === null) return;
    const at = `methods[${i}]`;
    if (!isNonEmptyString(m.name)) problems.add(`${at}.name`, notStringMessage(m.name, 'the method\'s name'));
    if (m.section !== null && (!isNonEmptyString(m.section) || m.section === '__proto__')) problems.add(`${at}.section`, notStringMessage(m.section, 'its params section\'s name, or null'));
    if (m.schema === undefined) return;
    const schema = recordOf(m.schema, `${at}.schema`, problems, 'a method schema ({ params?, paramsDefs?, explain?, explainDefs? })');
    for (const part of SCHEMA_PARTS) {
      if (schema === null || schema[part] === undefined) continue;
      if (recordOf(schema[part], `${at}.schema.${part}`, problems, 'a JSON Schema object') !== null) checkJson(schema[part], `${at}.schema.${part}`, [], problems);
      if (part.endsWith('Defs') && isRecord(schema[part])) {
        for (const [name, def] of Object.entries(schema[part])) recordOf(def, keyPath(`${at}.schema.${part}`, name), problems, 'a JSON Schema object');
      }
    }
  });
  return problems.size === 0 ? plugins as JsonRecord[] : null;
}

/** Adds a problem at the first value in `value` that JSON cannot hold (a function, a NaN, a cycle, a class instance). */
function checkJson(value: unknown, path: string, within: readonly unknown[], problems: ProblemList): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return true;
  const wrong = within.includes(value) ? 'refers to an object that contains it (a cycle)' : Array.isArray(value) || isRecord(value) ? null : `not a JSON value (got ${describeValue(value)})`;
  if (wrong !== null) {
    problems.add(path, `${wrong}: a schema is JSON`);
    return false;
  }
  const inner = [...within, value];
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`${path}[${i}]`, v]) : Object.entries(value as JsonRecord).map(([k, v]) => [keyPath(path, k), v]);
  return entries.every(([at, v]) => checkJson(v, at, inner, problems));
}

/** Each section and params subschema name claimed once: not the shared or engine's sections, nor another method's. */
function checkParamsClaims(methods: readonly JsonRecord[], problems: ProblemList): void {
  const sections = new Map<string, string>(Object.keys({ ...PARAMS_SHARED, ...PARAMS_ENGINE }).map((k) => [k, 'the engine']));
  const defs = new Map<string, string>(Object.keys(PARAMS_SHARED_DEFS).map((k) => [k, 'the engine']));
  methods.forEach((m, i) => {
    if (m.section === null) return;
    const schema = m.schema as JsonRecord | undefined, section = m.section as string, name = JSON.stringify(m.name);
    if (schema?.params === undefined) problems.add(`methods[${i}].schema.params`, `missing: method ${name} reads params.${section}, so its schema needs the section's fragment`);
    claim(sections, section, `method ${name}`, `methods[${i}].section`, 'params section', problems);
    for (const def of Object.keys((schema?.paramsDefs ?? {}) as JsonRecord)) claim(defs, def, `method ${name}`, keyPath(`methods[${i}].schema.paramsDefs`, def), 'params $defs name', problems);
  });
}

/** Each report row field (a method's name, where it explains) and report subschema name claimed once. */
function checkReportClaims(methods: readonly JsonRecord[], problems: ProblemList): void {
  const fields = new Map<string, string>(Object.keys((reportAccount() as JsonRecord).properties as JsonRecord).map((k) => [k, 'the report row']));
  const defs = new Map<string, string>([...Object.keys(REPORT_SHARED_DEFS), 'account'].map((k) => [k, 'the report']));
  methods.forEach((m, i) => {
    const schema = m.schema as JsonRecord | undefined, name = m.name as string;
    if (schema?.explain === undefined) return;
    claim(fields, name, `method ${JSON.stringify(name)}`, `methods[${i}].name`, 'report row field', problems);
    for (const def of Object.keys((schema.explainDefs ?? {}) as JsonRecord)) claim(defs, def, `method ${JSON.stringify(name)}`, keyPath(`methods[${i}].schema.explainDefs`, def), 'report $defs name', problems);
  });
}

function claim(taken: Map<string, string>, key: string, by: string, path: string, what: string, problems: ProblemList): void {
  const owner = taken.get(key);
  if (owner !== undefined) problems.add(path, `the ${what} ${JSON.stringify(key)} is ${owner}'s already`);
  else taken.set(key, by);
}

/**
 * Typed arrays a run needs for its own JS-side work, lent from the engine's heap and all given back by one
 * {@link ArrayLease.release} (src/memory/array-lease.ts). Checked: the heap is a {@link BufferPool} (and each buffer it
 * lends as long as asked), a length a whole number ≥ 0 (NaN had lent an array of length 0), `cleared` a flag, and what
 * is dropped an array of the three kinds.
 */
export class ArrayLease extends UncheckedArrayLease {
  /** `heap`: where the arrays are lent from (none: plain new arrays, the garbage collector's). */
  constructor(heap?: BufferPool) {
    super(checkedPool(heap));
  }

  /** An Int32Array of `length` (contents unspecified unless `cleared`: all 0), valid until {@link release}. */
  override i32(length: number, cleared = false): Int32Array {
    checkLength(length, cleared);
    return super.i32(length, cleared);
  }

  /** A Float64Array of `length` (contents unspecified unless `cleared`: all 0), valid until {@link release}. */
  override f64(length: number, cleared = false): Float64Array {
    checkLength(length, cleared);
    return super.f64(length, cleared);
  }

  /** A Uint8Array of `length` (contents unspecified unless `cleared`: all 0), valid until {@link release}. */
  override u8(length: number, cleared = false): Uint8Array {
    checkLength(length, cleared);
    return super.u8(length, cleared);
  }

  /** Lets one lent array go before the run ends (src/memory/array-lease.ts); what no lease lends is refused. */
  override drop(array: Int32Array | Float64Array | Uint8Array): void {
    if (!(array instanceof Int32Array || array instanceof Float64Array || array instanceof Uint8Array)) refuse('array', `expected an Int32Array, Float64Array or Uint8Array this lease lent, got ${describeValue(array)}`);
    super.drop(array);
  }

  /** Gives every lent array back to the heap: none may be used after this (declared here so the entry's types list it). */
  override release(): void {
    super.release();
  }
}

function checkLength(length: unknown, cleared: unknown): void {
  const problems = new ProblemList();
  checkWhole(length, 'length', 0, problems, 'a whole number of elements');
  checkFlag(cleared, 'cleared', problems);
  problems.throwIfAny();
}

/** `heap` with its `take` checked to lend a buffer of at least the bytes asked; undefined stays undefined. */
function checkedPool(heap: unknown): BufferPool | undefined {
  if (heap === undefined) return undefined;
  const problems = new ProblemList();
  const pool = recordOf(heap, 'heap', problems, 'a BufferPool ({ take, give, discard? })') ?? {};
  for (const name of ['take', 'give', 'discard']) {
    if (typeof pool[name] !== 'function' && (name !== 'discard' || pool[name] !== undefined)) problems.add(`heap.${name}`, `expected a function, got ${describeValue(pool[name])}`);
  }
  problems.throwIfAny();
  const given = heap as BufferPool;
  const take = (bytes: number): ArrayBuffer => {
    const buffer: unknown = given.take(bytes);
    if (buffer instanceof ArrayBuffer && buffer.byteLength >= bytes) return buffer;
    return refuse('heap.take', `lent ${buffer instanceof ArrayBuffer ? `a buffer of ${buffer.byteLength} bytes` : describeValue(buffer)} when ${bytes} bytes were asked`);
  };
  const give = (buffer: ArrayBuffer) => given.give(buffer);
  return given.discard === undefined ? { take, give } : { take, give, discard: (buffer: ArrayBuffer) => given.discard!(buffer) };
}
