/**
 * No module-global scratch in src/: buffers, caches and counters that outlive a call belong to the object whose
 * lifetime they share (the engine, a session's layout, a run: src/model/run-retention.ts, src/layout/memo.ts,
 * PortfolioRun's add-on scan, RuleBasedHoldingsMargin's terms), so two engines, sessions or runs interleaved never
 * see each other's state. Scans every module's top level (TypeScript's parser) for `let`/`var` bindings, and for
 * `new` of a typed array, Map, WeakMap, Set or WeakSet in a top-level initializer (functions inside it excluded) or a
 * static class field. Each survivor must be on ALLOWED, with the reason it is safe; an entry that no longer matches
 * fails too, so the list stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const SRC = join(ROOT, 'src');

/** `file:name` → why it is safe. */
const ALLOWED: Record<string, string> = {
  // immutable tables and constants: filled once at load, never written after
  'engine.ts:registries': 'each engine\'s own method registry, set once by its constructor and read by this module\'s functions for that engine (a WeakMap keyed by the engine: nothing shared between engines)',
  'kernels/js/elementary.ts:EXP_TABLE': 'constant table of the exp kernel twin',
  'kernels/js/elementary.ts:POW2': 'constant table (powers of two), filled at load',
  'margin/status.ts:STATUS_CODE': 'constant table: status name → code',
  'margin/figure-model.ts:ROW_KEYS': 'constant set of field names (the keys of a row that no figure may take)',
  'service/guard.ts:WILDCARDS': 'constant set of wildcard host names',
  'import/ccxt/index.ts:BALANCE_META': 'constant set of field names',
  'import/ccxt/index.ts:DEBT_OUTSIDE_TOTAL': 'constant set of venue ids (ReadonlySet)',
  'import/types.ts:USD_STABLECOINS': 'constant set of asset symbols (ReadonlySet)',
  'io/arrow/batch-accounts.ts:EMPTY': 'an empty array: nothing to write',
  'liquidation/smallest-root.ts:NO_BREAKPOINTS': 'an empty array: nothing to write (the default of no breakpoints)',
  'io/arrow/ipc-chunks.ts:END_OF_STREAM': 'constant bytes (the IPC end-of-stream marker), only copied from',
  'io/json-stream.ts:STRING_STOP': 'constant table (the bytes that end a run inside a string), filled at load',
  'io/json-stream.ts:PIECE_STOP': 'constant table (the bytes that nest or end a piece), filled at load',
  'model/validate-market.ts:NO_CORRELATION': 'frozen constant; its matrix is empty: nothing to write',
  'scale/merge.ts:EMPTY_BLOCK': 'a block of empty arrays: nothing to write',
  'kernels/js/elementary.ts:HI': 'the platform\'s endianness (a number, computed at load)',
  'durable/state-hash.ts:LITTLE_ENDIAN': 'the platform\'s endianness (a boolean, computed at load)',
  'model/lazy-field.ts:ACCESSORS': 'one shared accessor pair per property key, made once and never changed (perf: lazy-rows)',
  // leaf scratch of pure kernel twins: written and read within one synchronous call that calls nothing else, like
  // the WASM kernels' static scratch below __heap_base
  'kernels/js/elementary.ts:scratchF64': 'bit-cast cell of a leaf function',
  'kernels/js/elementary.ts:scratchU32': 'bit-cast cell of a leaf function',
  'kernels/js/exact-sum.ts:F': 'bit-cast cell of a leaf function',
  'kernels/js/exact-sum.ts:U': 'bit-cast cell of a leaf function',
  'kernels/js/exact-sum.ts:SCRATCH': 'rounding chunks of one leaf call (the WASM twin\'s static scratch)',
  'kernels/js/risk/normal-draws.ts:words': 'counter words of one leaf call (the WASM twin\'s static scratch)',
  'kernels/js/risk/normal-draws.ts:cs': 'bit-cast cells of one leaf call',
  'greeks/one-option.ts:one': 'one option\'s input and output cells, private: each exported call returns a number',
  // memos keyed by an immutable value (WeakMap: dropped with the key; the value a pure function of the key)
  'model/brand.ts:validatedBooks': 'the validated brand of immutable books',
  'model/brand.ts:instrumentRowsByBook': 'rows of an immutable validated book',
  'model/brand.ts:validatedMarkets': 'the validated brand of immutable markets',
  'model/book-columns.ts:COLUMNS': 'the columns a columnar validated book was read into (immutable)',
  'model/book-columns.ts:VIEWED': 'which columnar books had their object view built (a fact of each book, kept weakly)',
  'locations/adjust.ts:located': 'derived from an immutable validated book',
  'methods/derive/account.ts:SCENARIO_TERMS': 'derived from frozen validated params',
  'session/session.ts:DEFAULT_PARAMS': 'a method\'s validated defaults, deep-frozen (perf: shared-defaults)',
  'session/session.ts:SECTIONS': 'the param sections of a registry (fixed at construction)',
  'subaccounts/groups.ts:cache': 'derived from an immutable validated book',
  'subaccounts/groups.ts:hasFields': 'derived from an immutable validated book',
  'subaccounts/groups.ts:idsCache': 'derived from an immutable validated book',
  'durable/partition-book.ts:BY_PARTITION': 'each account\'s partition, derived from an immutable validated book',
  // memos of pure functions keyed by the whole input text (the value never depends on a caller), bounded
  'model/time.ts:PARSED': 'timestamp text → ms, a pure function of the text; at most 4,096 entries',
  'model/time.ts:FORMATTED': 'ms → timestamp text, a pure function of the number; at most 4,096 entries',
  'io/arrow/read-book.ts:lastInstruments': 'the last clean instruments table read, keyed by its whole metadata text (validated instruments are immutable; one table kept)',
  'subaccounts/figure-columns.ts:byBook': 'derived from an immutable validated book',
  'subaccounts/policy.ts:unionsOf': 'derived from an immutable validated book',
  'subaccounts/policy.ts:pooledBooks': 'pooled books derived from an immutable validated book',
  'subaccounts/pool-book.ts:tables': 'instrument tables made from a validated book\'s immutable instruments array (a pure function of it)',
  'subaccounts/policy.ts:pooledOf': 'derived from an immutable validated book',
  'subaccounts/policy.ts:ownMethods': 'derived from an immutable validated book',
  'model/validate-magnitudes.ts:holdingsByBook': 'an object book\'s holdings in columns, derived from an immutable validated book',
  'subaccounts/stress-book.ts:pooledByBook': 'the pooled book, derived from an immutable validated book',
  'subaccounts/rollup.ts:sumsByRollup': 'a roll-up\'s own exact sums, keyed by the roll-up object (lives and dies with it)',
  'subaccounts/methods.ts:cache': 'derived from an immutable validated book and a registry',
  'subaccounts/union.ts:byList': 'derived from the immutable instruments array of validated books',
  // state attached to its owner (WeakMap keyed by the owning object: lives and dies with it, seen only through it)
  'margin/summary-rows.ts:ROWS_OF_REPORT': 'a report\'s own unbuilt rows (perf: lazy-rows)',
  'margin/param-layout.ts:SHARED': 'an allocator\'s shared layouts of frozen rules, released with it (perf: shared-defaults)',
  'layout/market-layout.ts:applied': 'the market columns laid out beside a layout, released with it',
  'scale/redis/connect.ts:givenUp': 'why a Redis client gave up, per client',
  'scale/redis/connect.ts:outages': 'whether a kept-reconnecting Redis client is down and why, per client',
  // loaded once per process (or worker realm): immutable modules and bytes, lazily
  'kernels/wasm/binary.ts:simdBytes': 'the embedded SIMD module\'s bytes, decoded once',
  'kernels/wasm/binary.ts:scalarBytes': 'the embedded scalar module\'s bytes, decoded once',
  'kernels/wasm/binary.ts:compiled': 'compiled WebAssembly modules per flavour (immutable)',
  'io/arrow/load.ts:arrow': 'the optional apache-arrow module, imported once',
  'optimize/solver.ts:shared': 'the HiGHS solver module, loaded once',
  'subaccounts/highs.ts:loading': 'the HiGHS module, loaded once',
  'service/body.ts:validators': 'compiled request schemas (immutable)',
  'workers/web-worker.ts:handle': 'this Web Worker\'s one request handler',
  'scale/identity.ts:own': 'this process\'s build identity, computed once',
  'scale/sharded-book.ts:opened': 'a counter that only makes book ids unique in this process',
  // the CLI process's own exit bookkeeping (one process, one command)
  'io/atomic-file.ts:pending': 'temporary files to remove if the process exits mid-write',
  'io/atomic-file.ts:watching': 'whether the exit handler is installed',
  'cli/terminal-share.ts:bars': 'the progress bars drawn on this CLI process\'s terminal while its stdout is a pipe (one process, one command; each bar removed when it finishes)',
  'io/atomic-file.ts:watcher': 'a report writer thread\'s listener telling the main thread of its temporary files (one per thread: set once when the thread starts)',
  // validation's side channels: set and read within one readAccount call (no call in between reads another book)
  'model/validate-book.ts:lastRealizedUsd': 'readPositions → readAccount within one call',
  'model/validate-book.ts:accountRows': 'one account\'s instrument rows, within one readPositions call',
  'model/validate-book.ts:firstOfRow': 'one account\'s repeats, within one readPositions call',
  'model/validate-book.ts:lastInstrumentRow': 'readPosition → its caller within one call',
};

const STATEFUL = new Set(['Float64Array', 'Float32Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'Map', 'WeakMap', 'Set', 'WeakSet']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') && !path.endsWith('.generated.ts') ? [path] : [];
  });
}

/** The first `new` of a stateful class in `node`, not looking inside functions. */
function statefulNew(node: ts.Node): ts.NewExpression | undefined {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return undefined;
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && STATEFUL.has(node.expression.text)) return node;
  return ts.forEachChild(node, statefulNew);
}

interface Finding {
  key: string;
  at: string;
  what: string;
}

/** What `text` (the module src/`rel`) holds at module scope. */
function findings(rel: string, text: string): Finding[] {
  const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
  const out: Finding[] = [];
  const add = (name: string, node: ts.Node, what: string) =>
    out.push({ key: `${rel}:${name}`, at: `src/${rel}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, what });
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      const mutable = (statement.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const;
      for (const d of statement.declarationList.declarations) {
        const name = d.name.getText(source);
        if (mutable) add(name, d, `module-scope let/var ${name}`);
        else if (d.initializer && statefulNew(d.initializer)) add(name, d, `module-scope ${statefulNew(d.initializer)!.expression.getText(source)} ${name}`);
      }
    } else if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members) {
        const isStatic = ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        if (isStatic && ts.isPropertyDeclaration(member) && member.initializer && statefulNew(member.initializer)) {
          add(`${statement.name?.text}.${member.name.getText(source)}`, member, `static field ${member.name.getText(source)}`);
        }
      }
    }
  }
  return out;
}

describe('module-global state in src/', () => {
  const all = sourceFiles(SRC).flatMap((file) => findings(relative(SRC, file).split('\\').join('/'), readFileSync(file, 'utf8')));

  it('is only what ALLOWED lists, each with why it is safe', () => {
    const unlisted = all.filter((f) => !(f.key in ALLOWED)).map((f) => `${f.at}: ${f.what}`);
    expect(unlisted, 'move it into the engine, session, layout (memo) or run that uses it, or list it with why it is safe').toEqual([]);
  });

  it('lists nothing that is no longer there', () => {
    const found = new Set(all.map((f) => f.key));
    expect(Object.keys(ALLOWED).filter((k) => !found.has(k))).toEqual([]);
  });

  it('finds what it should (a module-scope let, a typed array, a nested WeakMap, a static Map; not a constant, a function\'s Map)', () => {
    const sample = [
      'let a = 0;',
      'const b = new Float64Array(4);',
      'const c = { m: new WeakMap() };',
      'const d = 1, e = () => new Map();',
      'function f() { let g = new Set(); return g; }',
      'class H { static cache = new Map(); static readonly n = 2; own = new Map(); }',
    ].join('\n');
    expect(findings('x.ts', sample).map((f) => `${f.at} ${f.key}`)).toEqual(['src/x.ts:1 x.ts:a', 'src/x.ts:2 x.ts:b', 'src/x.ts:3 x.ts:c', 'src/x.ts:6 x.ts:H.cache']);
  });
});
