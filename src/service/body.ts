/**
 * Request bodies: JSON only, checked against schemas/service.schema.json (built on the book's and market's schemas)
 * with Ajv set strict: no type coercion, no defaults filled in, unknown fields refused (never stripped), the first
 * error only (Ajv's own advice against DoS). When a body fails the schema, the problems a 400 answer lists come from
 * the library's validation of the same body (src/live/requests.ts, src/live/tick.ts), the very messages and paths a
 * library caller sees; only if the library found nothing wrong (a rule the schema states and the library does not)
 * is the schema's own error given, with its path.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import bookSchema from '../../schemas/book.schema.json' with { type: 'json' };
import marketSchema from '../../schemas/market.schema.json' with { type: 'json' };
import serviceSchema from '../../schemas/service.schema.json' with { type: 'json' };
import { describeValue, InputError, type InputProblem } from '../errors.js';
import type { LiveSession } from '../live/live-session.js';
import { engineRun } from '../session/prepared-run.js';
import { type Fill, notListMessage, readOrder, readTrades, type Transfer } from '../live/requests.js';
import { validateTick } from '../live/tick.js';
import { isRecord, notObjectMessage, notStringMessage } from '../model/checks.js';
import { type JsonStep, jsonPath, strictJsonProblems } from '../model/json-strict.js';
import { jsonSyntaxProblem, lineColumn, withoutByteOrderMark } from '../model/json-text.js';

export type PostRoute = 'what-if' | 'check' | 'fills' | 'transfers' | 'tick';

const SCHEMA_OF: Record<PostRoute, string> = { 'what-if': 'whatIf', check: 'check', fills: 'fills', transfers: 'transfers', tick: 'tick' };

/** One Ajv for the service's schemas (compiled once per process). */
let validators: Record<PostRoute, ValidateFunction> | undefined;

export function bodyValidators(): Record<PostRoute, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv2020({ strict: true, allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, allowUnionTypes: true });
  ajv.addSchema(bookSchema).addSchema(marketSchema).addSchema(serviceSchema);
  const id = (serviceSchema as { $id: string }).$id;
  const compiled = {} as Record<PostRoute, ValidateFunction>;
  for (const [route, def] of Object.entries(SCHEMA_OF) as [PostRoute, string][]) compiled[route] = ajv.getSchema(`${id}#/$defs/${def}`)!;
  return (validators = compiled);
}

/** The path of the library's problems for a route's body: `trades[0]`, `fills[2].price`, `tick.assets.BTC`. */
const BASE: Record<PostRoute, string> = { 'what-if': '', check: '', fills: 'fills', transfers: 'transfers', tick: 'tick' };

/**
 * The problems of a body that failed the schema: the library's (same messages and paths as a library call), or the
 * schema's first error when the library accepts the body.
 */
export function schemaProblems(route: PostRoute, body: unknown, live: LiveSession, errors: readonly ErrorObject[]): InputProblem[] {
  try {
    validateAsLibrary(route, body, live);
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
  return errors.slice(0, 1).map((e) => ({ path: pointerPath(BASE[route], e.instancePath, body), message: e.message ?? 'invalid' }));
}

/** What the live session checks before applying the route's body (nothing is applied here); throws InputError. */
export function validateAsLibrary(route: PostRoute, body: unknown, live: LiveSession): void {
  const layout = live.layout;
  const prepared = engineRun(live.prepared);
  const value = (row: number) => prepared.instrumentValue(row);
  switch (route) {
    case 'what-if': {
      const { account, items } = accountAnd(body, 'trades');
      live.reportParts.indexOf(account);
      readTrades(items, layout, value);
      return;
    }
    case 'check': {
      const { account, items } = accountAnd(body, 'order');
      live.reportParts.indexOf(account);
      readOrder(items, layout, value);
      return;
    }
    case 'fills':
      live.validateFills(listOf(body, 'fills') as Fill[]);
      return;
    case 'transfers':
      live.validateTransfers(listOf(body, 'transfers') as Transfer[]);
      return;
    case 'tick':
      validateTick(body, live.marketJson, layout);
  }
}

/** `{ account, <field> }`, the account checked for a string (the session names unknown ones). */
export function accountAnd(body: unknown, field: string): { account: string; items: unknown } {
  const problems: InputProblem[] = [];
  if (!isRecord(body)) throw new InputError([{ path: 'body', message: notObjectMessage(body, `an object with account and ${field}`) }]);
  for (const key of Object.keys(body)) if (key !== 'account' && key !== field) problems.push({ path: `body.${key}`, message: `unknown field (expected account, ${field})` });
  // the session's words for an id that is none (missing, empty, not a string), one message wherever it is checked
  if (typeof body.account !== 'string' || body.account === '') problems.push({ path: 'account', message: notStringMessage(body.account, 'an account id') });
  if (body[field] === undefined) problems.push({ path: field, message: `missing (expected ${field === 'order' ? 'an order' : 'a list'})` });
  if (problems.length > 0) throw new InputError(problems);
  return { account: body.account as string, items: body[field] };
}

/** `{ <field>: [...] }` or the bare list. */
export function listOf(body: unknown, field: string): unknown {
  if (Array.isArray(body)) return body;
  if (isRecord(body) && Object.keys(body).length === 1 && field in body) return body[field];
  if (isRecord(body) && field in body) {
    const others = Object.keys(body).filter((key) => key !== field);
    throw new InputError(others.map((key) => ({ path: `body.${key}`, message: `unknown field (the body is { "${field}": [...] } or a list)` })));
  }
  throw new InputError([{ path: 'body', message: notObjectMessage(body, `{ "${field}": [...] } or a list`) }]);
}

/** `{ <field>: [...] }` or the bare list, as an array; else the library's problem at `field` (`expected an array, got …`). */
export function itemsOf(body: unknown, field: 'fills' | 'transfers'): unknown[] {
  const list = listOf(body, field);
  if (!Array.isArray(list)) throw new InputError([{ path: field, message: notListMessage(list) }]);
  return list;
}

/** How many items (trades, fills, transfers) a body carries, for the per-request limit; 0 for other bodies. */
export function itemCount(route: PostRoute, body: unknown): number {
  const field = route === 'what-if' ? 'trades' : route === 'fills' || route === 'transfers' ? route : null;
  if (field === null) return 0;
  const list = Array.isArray(body) && route !== 'what-if' ? body : isRecord(body) ? body[field] : undefined;
  return Array.isArray(list) ? list.length : 0;
}

/** A JSON pointer (`/trades/0/quantity`) as the library writes paths (`trades[0].quantity`), under `base`. */
export function pointerPath(base: string, pointer: string, body: unknown): string {
  let path = base;
  let node: unknown = body;
  const steps = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  // `{ fills: [...] }`: the field is the base (a bare list is under the base already)
  if (base !== '' && isRecord(body) && steps[0] === base) path = '';
  for (const step of steps) {
    if (Array.isArray(node)) {
      path += `[${step}]`;
      node = node[Number(step)];
    } else {
      path = /^[A-Za-z_$][\w$]*$/.test(step) ? (path === '' ? step : `${path}.${step}`) : `${path}[${JSON.stringify(step)}]`;
      node = isRecord(node) ? node[step] : undefined;
    }
  }
  return path === '' ? 'body' : path;
}

/**
 * Parses a JSON body (a leading byte-order mark skipped, as the command line skips one in a file): problems at `body`
 * for empty or malformed text (the service answers 400 with them). A member
 * name given twice or a number that underflows (src/model/json-strict.ts) is a problem at its path as the library names
 * it for the route at `url` (`fills[0].quantity`), with its line and column.
 */
export function parseJson(given: string, url = ''): unknown {
  const text = withoutByteOrderMark(given);
  if (text.trim() === '') throw new InputError([{ path: 'body', message: 'empty (expected JSON)' }]);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const at = jsonSyntaxProblem(text); // line and column, as the command line says them
    throw new InputError([{ path: 'body', message: `not valid JSON at line ${at.line}, column ${at.column}: ${at.reason}` }]);
  }
  // no route's body nests deeper; a deeper one would overflow the stack of whatever walks it (a gateway re-encodes it)
  const deep = offsetDeeperThan(text, MAX_BODY_DEPTH);
  if (deep >= 0) throw new InputError([{ path: 'body', message: `nested deeper than ${MAX_BODY_DEPTH} arrays and objects (at character ${deep})` }]);
  const base = baseOf(url);
  const place = (offset: number) => {
    const { line, column } = lineColumn(text, offset);
    return `line ${line}, column ${column}`;
  };
  const problems = strictJsonProblems(text, body, { pathOf: (steps) => routePath(base, steps), top: 'the body', place });
  if (problems.length > 0) throw new InputError(problems);
  return body;
}

/** The base of the library's paths for the route at `url` (`/fills`, a shard's `/validate/tick`): BASE, '' for others. */
function baseOf(url: string): string {
  const route = url.split('?')[0].split('/').pop() ?? '';
  return Object.hasOwn(BASE, route) ? BASE[route as PostRoute] : '';
}

/** Steps in the body as {@link pointerPath} writes them: under `base`, except its own field (`{ fills: [...] }`). */
function routePath(base: string, steps: readonly JsonStep[]): string {
  const path = jsonPath(base !== '' && steps[0] === base ? '' : base, steps);
  return path === '' ? 'body' : path;
}

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_BODY_DEPTH = 64;

/** The offset of the first bracket of valid JSON `text` that opens level `max + 1`, or −1 (strings skipped). */
function offsetDeeperThan(text: string, max: number): number {
  let depth = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: to its closing quote (an escape skips the character after the backslash)
      for (i++; i < n && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
