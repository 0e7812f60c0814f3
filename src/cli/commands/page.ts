/**
 * `margin-core page`: serves the browser risk page (dist/web/, shipped in the package) on localhost and prints its
 * URL. Static files only: the page computes everything in the browser. The same files also work opened straight from
 * disk (dist/web/index.html), since the sample and the WASM are embedded; only the suggested hedge needs the server,
 * which serves the LP solver under /highs/ from the installed `highs` package (web/highs-loader.ts loads it).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandFailed } from '../io.js';
import { integerText } from '../options.js';
import { allowedHosts } from '../../service/guard.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm',
};

/** The page's folder beside the CLI bundle (dist/web/ from dist/cli.js), or dist/web/ seen from the sources. */
export function pageDir(): string | undefined {
  for (const relative of ['./web/', '../../../dist/web/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** Where the page finds the solver (web/highs-loader.ts SOLVER_DIR), and the only files served from there. */
const SOLVER_ROUTE = '/highs/';
const isSolverFile = (name: string): boolean => name === 'highs.js' || name === 'highs.wasm';

/** The `highs` package's build folder (highs.js beside highs.wasm), or undefined when the optional package is not installed. */
function solverDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('highs'));
  } catch {
    return undefined;
  }
}

/** The file a request path names: the page's own, or the solver's under /highs/; undefined outside both. */
export function servedFile(root: string, path: string, solver = solverDir()): string | undefined {
  if (path.startsWith(SOLVER_ROUTE)) {
    const name = path.slice(SOLVER_ROUTE.length);
    return solver !== undefined && isSolverFile(name) ? join(solver, name) : undefined;
  }
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

function port(value: string): number {
  const n = integerText(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a whole number from 0 to 65535 (0: any free port).');
  return n;
}

/** The request's path, percent-decoded; undefined when it cannot be (`/%E0%A4%A`). */
function decodedPath(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  } catch {
    return undefined;
  }
}

export function registerPageCommand(program: Command): Command {
  return program
    .command('page')
    .description('serve the browser risk page on http://127.0.0.1:PORT/ (static files: the page computes in the browser)')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
    .addHelpText('after', '\nExample:\n  margin-core page --port 8080\n\nThe same page opened straight from disk also works: node_modules/margin-core/dist/web/index.html')
    .action(async (opts: { port: number }) => {
      const root = pageDir();
      if (!root) throw new CommandFailed('the page (dist/web/index.html) is missing from this installation: from a clone, run `npm run build` first');
      const solver = solverDir();
      let hosts: Set<string> | null = null; // the names this page answers to, once its port is known
      const server = createServer((req, res) => {
        // a page on loopback answers for loopback names only: a DNS-rebinding site's Host is refused, as serve refuses it
        if (hosts === null || !hosts.has((req.headers.host ?? '').toLowerCase())) {
          res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request: this page answers for 127.0.0.1 and localhost only\n');
          return;
        }
        // a static page: read, never written to
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed: this page serves files (GET, HEAD)\n');
          return;
        }
        const path = decodedPath(req.url);
        // a target that cannot be decoded (a broken percent-escape, which any page the user visits can send) is refused
        if (path === undefined) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed request target\n');
          return;
        }
        const file = servedFile(root, path, solver);
        if (file === undefined) {
          res.writeHead(path.startsWith(SOLVER_ROUTE) ? 404 : 403, { 'content-type': 'text/plain' })
            .end(path.startsWith(SOLVER_ROUTE) ? 'the LP solver is not installed: npm install highs\n' : '');
          return;
        }
        readFile(file).then(
          (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body),
          () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => reject(new CommandFailed(error.code === 'EADDRINUSE' ? `port ${opts.port} is in use: give another with --port N (0: any free port)` : error.message)));
        server.listen(opts.port, '127.0.0.1', () => resolve());
      });
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : opts.port;
      hosts = allowedHosts('127.0.0.1', bound, []);
      const url = `http://127.0.0.1:${bound}/`;
      process.stdout.write(`margin-core risk page: ${url}  (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
