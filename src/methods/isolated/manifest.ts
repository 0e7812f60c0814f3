/** Isolated margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { isolatedMethod } from './index.js';

export const isolatedManifest: MethodManifest<null> = {
  plugin: isolatedMethod,
  defaults: null,
  docs: 'docs/rule-based-margin.md',
  fingerprints: [{ name: 'isolated', params: () => ({}), digests: { sample: '94aba8acc09cbb396c5557b41488477e', generated10k: '237dde2128d3df155631c0d5ec220862' } }],
};
