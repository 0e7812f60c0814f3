/**
 * apache-arrow, loaded on first use: users who never read or write an Arrow book or report never load it (the library
 * and CLI bundles leave it out; scripts/build.mjs marks it external). In Node its one-file build is required (a tenth
 * of the time the package's hundreds of ES modules take to load); elsewhere the package's own entry is imported, for
 * the application's bundler to resolve. Both have the same API (the one-file build has web streams, not Node ones).
 */
import { inNode } from '../../runtime.js';
export type Arrow = typeof import('apache-arrow');

let arrow: Promise<Arrow> | undefined;

export function loadArrow(): Promise<Arrow> {
  arrow ??= (inNode() ? oneFileBuild() : import('apache-arrow')).catch((error: unknown) => {
    arrow = undefined;
    throw new Error(`margin-core: Arrow books and reports need the apache-arrow package (npm install apache-arrow): ${(error as Error).message}`, { cause: error });
  });
  return arrow;
}

async function oneFileBuild(): Promise<Arrow> {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as Arrow;
}
