/** SPAN-style margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_SPAN_PARAMS, type SpanParams } from './params.js';
import './types.js';
import { spanMethod } from './index.js';

export const spanManifest: MethodManifest<SpanParams> = {
  plugin: spanMethod,
  defaults: DEFAULT_SPAN_PARAMS,
  docs: 'docs/span-margin.md',
  fingerprints: [{ name: 'span', params: () => ({}), digests: { sample: '549bb52985a0fb363b159680a5d6f3f9', generated10k: 'aaa5cb8ca61ddaec49c92cea0fcc9787' } }],
};
