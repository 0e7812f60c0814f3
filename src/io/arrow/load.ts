/**
 * apache-arrow, loaded on first use: users who never read or write an Arrow book or report never load it (the library
 * and CLI bundles leave it out; scripts/build.mjs marks it external).
 */
export type Arrow = typeof import('apache-arrow');

let arrow: Promise<Arrow> | undefined;

export function loadArrow(): Promise<Arrow> {
  arrow ??= import('apache-arrow').catch((error: unknown) => {
    arrow = undefined;
    throw new Error(`margin-core: Arrow books and reports need the apache-arrow package (npm install apache-arrow): ${(error as Error).message}`, { cause: error });
  });
  return arrow;
}
