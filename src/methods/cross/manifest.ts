/** Cross margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { crossMethod } from './index.js';

export const crossManifest: MethodManifest<null> = {
  plugin: crossMethod,
  defaults: null,
  docs: 'docs/rule-based-margin.md',
  fingerprints: [{ name: 'cross', params: () => ({}), digests: { sample: 'a1c0b998072711499bde7164744b7d34', generated10k: 'd053110221c8e122d693a300099480e4' } }],
};
