/**
 * Listening on `--host` and `--port`, said in the user's terms (docs/cli.md, exit codes): a `--host` that names no
 * address is a bad option value, exit 2, found before any work; a port in use or kept for the system, or an address
 * that is not this machine's, fails the run (exit 1: the values are well-formed, the machine cannot serve them) in one
 * line naming the option and its value. Node's own text (`listen EADDRINUSE …`, `getaddrinfo ENOTFOUND …`) says
 * neither.
 */
import { lookup } from 'node:dns/promises';
import type { Command } from 'commander';

/** Before any work: `--host` must name an address (a typo is said at once, not after the book is read and margined). */
export async function checkHostResolves(host: string, command: Command): Promise<void> {
  try {
    await lookup(host);
  } catch (error) {
    // a name no resolver knows is the value's fault; a resolver that cannot answer now (EAI_AGAIN) is left to listen
    if ((error as NodeJS.ErrnoException).code !== 'ENOTFOUND') return;
    command.error(`error: option '--host <host>' argument '${host}' is invalid. no address has this name (getaddrinfo ENOTFOUND).`, { exitCode: 2 });
  }
}

/** Why listening on `host`:`port` failed, naming the option at fault; null for an error that is not about either. */
export function listenFailure(error: unknown, host: string, port: number): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `--port ${port}: the port is in use on ${host}; give another with --port N (0: any free port)`;
    case 'EACCES':
      return `--port ${port}: not allowed to listen on it (ports below 1024 need privileges); give another with --port N`;
    case 'EADDRNOTAVAIL':
      return `--host ${host}: not an address of this machine (${code}); give one of its addresses, or 0.0.0.0 for all`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${host}: the name could not be looked up (${code})`;
    default:
      return null;
  }
}
