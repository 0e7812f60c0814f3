/**
 * The answer of a front (serve, the live gateway, a shard: guarded-app.ts) to a request no route takes: 405 with
 * `Allow` when one of its routes takes the path with another method (docs/service.md: "a known route with another
 * method 405 with Allow"), else 404. The routes are read as the front registers them (Fastify's onRoute), so each
 * front answers from its own routes, never from a list kept apart from them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './routes.js';

export class RouteMethods {
  /** Each route pattern's matcher and methods, in the order registered (GET, then the HEAD Fastify adds for it). */
  private readonly routes = new Map<string, { match: RegExp; methods: string[] }>();

  /** Records the routes `app` registers from now on: call it before they are. */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) this.add(route.url, method);
    });
  }

  /** The methods the routes take `path` with, as `Allow` lists them (`GET, HEAD`); null when no route takes it. */
  allowed(path: string): string | null {
    const methods = new Set<string>();
    for (const { match, methods: those } of this.routes.values()) if (match.test(path)) for (const m of those) methods.add(m);
    return methods.size === 0 ? null : [...methods].join(', ');
  }

  /** 405 with Allow for a path some route takes with another method, else 404 naming the method and path. */
  answer(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    // the path as sent (an absolute-form target's authority dropped): `/accounts/a%2Fb` is one segment
    const path = (request.raw.url ?? '/').replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0];
    const allow = this.allowed(path);
    if (allow !== null) return sendError(reply, 405, `${path} accepts ${allow}`, undefined, { allow });
    return sendError(reply, 404, `no route ${request.method} ${path}`);
  }

  private add(url: string, method: string): void {
    const known = this.routes.get(url);
    if (known) {
      if (!known.methods.includes(method)) known.methods.push(method);
    } else this.routes.set(url, { match: patternOf(url), methods: [method] });
  }
}

/** A route's url as a matcher of paths: a `:param` is one segment (no slash), `*` the rest. */
function patternOf(url: string): RegExp {
  const segments = url.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}
