/** Portfolio (scenario-grid) margin as one package (src/methods/manifest.ts). */
import type { MethodManifest } from '../manifest.js';
import { DEFAULT_PORTFOLIO_PARAMS, type PortfolioParams } from '../engines/scenario-grid/params.js';
import { portfolioMethod } from './index.js';
import './types.js';

export const portfolioManifest: MethodManifest<PortfolioParams> = {
  plugin: portfolioMethod,
  defaults: DEFAULT_PORTFOLIO_PARAMS,
  docs: 'docs/portfolio-margin.md',
  fingerprints: [
    { name: 'portfolio', params: () => ({}), digests: { sample: '9ff2977768b3e8053160d2a9e590b95b', generated10k: '836b438e5a8e2414d7f1514ea834de21' } },
    { name: 'portfolio correlation', params: () => ({ portfolio: { aggregation: 'correlation' } }), digests: { sample: '60d7616d066761c6eec056907f59d108', generated10k: '3d760562910cc3c2ed83e2a80925ff84' } },
  ],
};
