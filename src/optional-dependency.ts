/**
 * The npm packages margin-core uses only for some features, declared as optional peer dependencies (package.json
 * `peerDependenciesMeta`): npm does not install them with margin-core. Each is imported on first use of its feature;
 * when it is absent, the feature fails with one sentence saying what to install, not a module-resolution stack trace.
 *
 * | package | feature                                                                 |
 * |---------|-------------------------------------------------------------------------|
 * | piscina | worker threads (`createEngine({ workers: N })`, CLI `--workers N`)      |
 * | ioredis | the Redis Streams cluster (`coordinator`, `worker`, `openClusterBook`)   |
 * | highs   | LP solving: margin optimisation (`optimize`) and collateral allocation  |
 */

/** An optional peer dependency a feature needs is not installed. */
export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
  constructor(
    /** The npm package to install, e.g. `ioredis`. */
    readonly packageName: string,
    /** The feature that needs it, e.g. `the Redis cluster`. */
    readonly feature: string,
  ) {
    super(`install ${packageName} to use ${feature} (npm install ${packageName}): it is an optional peer dependency of margin-core`);
  }
}

/** True for the error a dynamic import throws when the package itself cannot be found (not an error inside it). */
function notFound(error: unknown, packageName: string): boolean {
  const e = error as { code?: string | undefined; message?: string | undefined } | null;
  const code = e?.code;
  const message = String(e?.message ?? '');
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND' && !/Cannot find (?:module|package)|Failed to resolve module specifier/.test(message)) return false;
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`) || message.includes(`/${packageName}/`) || message.includes(` ${packageName} `);
}

/**
 * Loads an optional peer dependency: `load` is the literal `() => import('name')` (so bundlers see it). A missing
 * package becomes a {@link MissingDependencyError} naming the package and the feature; any other failure is passed on.
 */
export async function loadOptional<T>(packageName: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (notFound(error, packageName)) throw new MissingDependencyError(packageName, feature);
    throw error;
  }
}
