/** Cross margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { crossMethod } from './index.js';

export const crossManifest: MethodManifest<null> = {
  plugin: crossMethod,
  defaults: null,
  docs: 'docs/rule-based-margin.md',
  fingerprints: [{ name: 'cross', params: () => ({}), digests: { sample: '17db11d5175b737634c713211e2912bd', generated10k: 'd053110221c8e122d693a300099480e4' } }],
};
