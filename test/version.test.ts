import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PACKAGE_VERSION } from '../src/version.js';

it('src/version.ts says the version package.json says', () => {
  expect(PACKAGE_VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
});
