/**
 * The package's version, as in package.json (test/version.test.ts keeps them equal). A constant rather than an import
 * of package.json: the browser's per-module build has no package.json beside its modules.
 */
export const PACKAGE_VERSION = '0.1.0';
