/**
 * The public surface in layers (docs/api.md): the committed API report (etc/api/*.api.md) is what the sources give, so
 * a change to what the package exports shows in review; the application API stays small; no name is exported by two
 * layers; every entry is in package.json `exports` and the build.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
// @ts-expect-error: a plain ES module script, no types
import { collectApi, ENTRIES, renderReport } from '../../scripts/api-report.mjs';

interface ApiName {
  name: string;
  kind: string;
  signature: string;
  declaredAt: string;
}
interface EntryApi {
  entry: string;
  source: string;
  report: string;
  layer: boolean;
  names: ApiName[];
}

/** The root's budget: the application API only (issue: a user needs about 40 names; the rest lives in the layers). */
const ROOT_BUDGET = 80;
/**
 * The whole public surface: every entry's names, a declaration two entries share counted once (issue 51: 150), and
 * MethodRunError, what a plug-in's throw becomes (its author catches it by class).
 */
const SURFACE_BUDGET = 151;
/** What a method's author is given (margin-core/plugin): 50, and MethodRunError. */
const PLUGIN_BUDGET = 51;

describe('the API report', () => {
  let api: EntryApi[] = [];
  let byEntry = new Map<string, EntryApi>();
  beforeAll(() => {
    api = collectApi(ROOT); // a TypeScript program over the entries: seconds
    byEntry = new Map(api.map((e) => [e.entry, e]));
  }, 180_000);

  it('etc/api/*.api.md are what the sources give (npm run api:report rewrites them)', () => {
    const stale: string[] = [];
    for (const entry of api) {
      let committed: string | undefined;
      try {
        committed = readFileSync(join(ROOT, entry.report), 'utf8');
      } catch {
        committed = undefined;
      }
      const fresh = renderReport(entry) as string;
      if (committed === fresh) continue;
      const old = new Set((committed ?? '').split('\n'));
      const now = new Set(fresh.split('\n'));
      const added = [...now].filter((l) => !old.has(l)).map((l) => `  + ${l.slice(0, 160)}`);
      const removed = [...old].filter((l) => !now.has(l)).map((l) => `  - ${l.slice(0, 160)}`);
      stale.push(`${entry.report} (${entry.entry}) differs from ${entry.source}:\n${[...removed, ...added].slice(0, 20).join('\n')}`);
    }
    expect(stale, `the public API changed: run \`npm run api:report\` and commit etc/api/ so the change shows in review\n${stale.join('\n')}`).toEqual([]);
  });

  it(`the application API (margin-core) exports at most ${ROOT_BUDGET} names`, () => {
    const root = byEntry.get('margin-core')!;
    expect(root.names.length, `margin-core exports ${root.names.length} names: move what a user of the engine does not need to margin-core/plugin, /scale, /math or /io`).toBeLessThanOrEqual(ROOT_BUDGET);
    // what every user needs is there
    for (const name of ['createEngine', 'Engine', 'InputError', 'MarginSession', 'LiveSession', 'MarginReport', 'MARGIN_METHODS', 'STATUS', 'accountColumns', 'generateSample']) {
      expect(root.names.map((n) => n.name), name).toContain(name);
    }
  });

  it(`the public surface is at most ${SURFACE_BUDGET} names over every entry, the plug-in entry at most ${PLUGIN_BUDGET}`, () => {
    const declarations = new Set(api.flatMap((e) => e.names.map((n) => `${n.name} ${n.declaredAt}`)));
    const perEntry = api.map((e) => `${e.entry} ${e.names.length}`).join(', ');
    expect(declarations.size, `the package exports ${declarations.size} names (${perEntry}): keep internals out of the entries`).toBeLessThanOrEqual(SURFACE_BUDGET);
    expect(byEntry.get('margin-core/plugin')!.names.length).toBeLessThanOrEqual(PLUGIN_BUDGET);
    // what a method's author needs is there (docs/adding-a-method.md)
    for (const name of ['MarginMethodPlugin', 'MethodRun', 'MethodContext', 'MarginMethods', 'BUILT_IN_METHODS', 'paramsSchema', 'reportSchema', 'ArrayLease']) {
      expect(byEntry.get('margin-core/plugin')!.names.map((n) => n.name), name).toContain(name);
    }
  });

  it('no name is exported by two layers, and margin-core/greeks shares only the root declarations of its names', () => {
    const owner = new Map<string, string>();
    const twice: string[] = [];
    for (const entry of api.filter((e) => e.layer)) {
      for (const { name } of entry.names) {
        if (owner.has(name)) twice.push(`${name}: ${owner.get(name)} and ${entry.entry}`);
        else owner.set(name, entry.entry);
      }
    }
    expect(twice).toEqual([]);
    const declaredAt = new Map(api.filter((e) => e.layer).flatMap((e) => e.names.map((n) => [n.name, n.declaredAt] as const)));
    for (const { name, declaredAt: at } of byEntry.get('margin-core/greeks')!.names) {
      if (declaredAt.has(name)) expect(at, `margin-core/greeks ${name}`).toBe(declaredAt.get(name));
    }
  });

  it('the Engine methods are the only entry points for what they do (no free twin in any layer)', () => {
    const exported = new Set(api.flatMap((e) => e.names.map((n) => n.name)));
    for (const free of ['compareMethods', 'restoreHealth', 'allocateCollateral', 'slackOf', 'optimize', 'liquidate', 'stress', 'backtest']) {
      expect(exported.has(free), free).toBe(false);
    }
  });

  it('every entry is a package.json export with types, node, browser and default builds', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    for (const { entry, source, layer } of ENTRIES as EntryApi[]) {
      const key = entry === 'margin-core' ? '.' : `./${entry.slice('margin-core/'.length)}`;
      const exp = pkg.exports[key];
      expect(exp, key).toBeDefined();
      const base = source.replace(/^src\/(.*)\.ts$/, '$1');
      expect(exp.types).toBe(`./dist/types/${base}.d.ts`);
      if (!layer) continue;
      expect(exp.browser).toBe(`./dist/browser/esm/${base}.js`);
      expect(exp.default).toBe(exp.browser);
      expect(exp.node).toBe(`./dist/node/${entry === 'margin-core' ? 'margin-core' : base}.js`);
      expect(build, `scripts/build.mjs builds ${source}`).toContain(`'${source}'`);
    }
  });
});
