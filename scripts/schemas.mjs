// Writes the generated JSON Schemas: schemas/{book,market}.schema.json with the input domain's bounds
// (src/model/domain.ts) written in, and schemas/{params,report}.schema.json from the built-in methods' registry (each
// method's schema fragment, src/methods/*/schema.ts, between the parts no method owns, src/schemas/*-base.ts), through
// src/schemas/files.ts (bundled on the fly with esbuild). test/schemas-generated.test.ts fails until the committed
// files are what this writes.
//   node scripts/schemas.mjs [--check]      (npm run schemas)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'margin-core-schemas-'));
try {
  const outfile = join(dir, 'schema-files.mjs');
  await esbuild.build({ entryPoints: [join(root, 'src/schemas/files.ts')], outfile, bundle: true, format: 'esm', platform: 'node', logLevel: 'error', packages: 'external' });
  const { schemaFiles } = await import(pathToFileURL(outfile).href);
  const check = process.argv.includes('--check');
  const path = (file) => join(root, 'schemas', file);
  const files = schemaFiles((file) => readFileSync(path(file), 'utf8'));
  let stale = 0;
  for (const [file, text] of Object.entries(files)) {
    if (text === readFileSync(path(file), 'utf8')) continue;
    stale++;
    if (check) process.stderr.write(`schemas/${file}: not what the registry and the domain table generate (run npm run schemas)\n`);
    else {
      writeFileSync(path(file), text);
      process.stderr.write(`schemas/${file}: written\n`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
