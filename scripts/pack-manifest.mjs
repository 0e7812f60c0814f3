// The package.json that npm pack ships: the repository's without its `scripts`, which name files the tarball does not
// hold (scripts/, bench/); an installed package has nothing to build. `prepack` strips them, `postpack` puts the file
// back as it was (npm has read the scripts it runs before prepack).
//   node scripts/pack-manifest.mjs strip|restore
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const saved = join(root, 'package.json.packing');
const mode = process.argv[2];

if (mode === 'strip') {
  if (existsSync(saved)) throw new Error(`${saved} exists: an earlier pack did not finish; restore package.json from it first`);
  const text = readFileSync(manifest, 'utf8');
  writeFileSync(saved, text);
  const { scripts: _, ...published } = JSON.parse(text);
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  throw new Error('usage: node scripts/pack-manifest.mjs strip|restore');
}
