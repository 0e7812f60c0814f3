// Writes the input domain's bounds (src/model/domain.ts) into schemas/{book,market,params}.schema.json, through
// src/model/domain-schemas.ts (bundled on the fly with esbuild). test/model/domain-schemas.test.ts fails until the
// schemas are what this writes.
//   node scripts/schemas.mjs [--check]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'margin-core-schemas-'));
try {
  const outfile = join(dir, 'domain-schemas.mjs');
  await esbuild.build({ entryPoints: [join(root, 'src/model/domain-schemas.ts')], outfile, bundle: true, format: 'esm', platform: 'node', logLevel: 'error' });
  const { applyDomain, schemaText } = await import(pathToFileURL(outfile).href);
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const name of ['book', 'market', 'params']) {
    const file = join(root, 'schemas', `${name}.schema.json`);
    const before = readFileSync(file, 'utf8');
    const after = schemaText(applyDomain(JSON.parse(before), name), name);
    if (after === before) continue;
    stale++;
    if (check) process.stderr.write(`schemas/${name}.schema.json: not the domain's bounds (run node scripts/schemas.mjs)\n`);
    else {
      writeFileSync(file, after);
      process.stderr.write(`schemas/${name}.schema.json: written\n`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
