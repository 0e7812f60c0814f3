/** Isolated margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { isolatedMethod } from './index.js';

export const isolatedManifest: MethodManifest<null> = {
  plugin: isolatedMethod,
  defaults: null,
  docs: 'docs/rule-based-margin.md',
  fingerprints: [{ name: 'isolated', params: () => ({}), digests: { sample: 'a075e379a137ecbf471088aa37b391b8', generated10k: '237dde2128d3df155631c0d5ec220862' } }],
};
