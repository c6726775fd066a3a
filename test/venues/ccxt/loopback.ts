import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as the loopback exchange saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What a route answers: a JSON value (sent compact) or raw text, a status and headers. */
export interface Answer {
  readonly status?: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string>;
  /** Hold the answer this long (to make the client time out). */
  readonly delayMs?: number;
}

export type Route = (req: SeenRequest) => Answer | undefined;

/**
 * A scripted exchange on 127.0.0.1: every request is recorded, `routes` are tried in order (the first that
 * answers wins), anything unanswered is a 404 with the request line, so a missing route shows in the failure.
 */
export async function startLoopback(routes: Route[], o: { tls?: { cert: string; key: string } } = {}): Promise<{ url: string; seen: SeenRequest[]; routes: Route[]; close(): Promise<void>; server: Server }> {
  const seen: SeenRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => { body += d; });
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const r: SeenRequest = { method: req.method ?? 'GET', path: decodeURIComponent(u.pathname), query: u.searchParams, headers: req.headers, body };
      seen.push(r);
      let a: Answer | undefined;
      for (const route of routes) if ((a = route(r)) !== undefined) break;
      const send = () => {
        if (res.destroyed) return;
        if (a === undefined) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no route for ${r.method} ${r.path}` }));
          return;
        }
        const text = a.text ?? (a.json === undefined ? '' : JSON.stringify(a.json));
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers }).end(text);
      };
      if (a?.delayMs) setTimeout(send, a.delayMs).unref();
      else send();
    });
  };
  // HTTPS with `tls`: the certificate tests of the adapter.
  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, handler) as unknown as Server : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`, seen, routes, server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A route for one method and path (exact, or a RegExp), answering `answer` (or the result of calling it). */
export function on(method: string, path: string | RegExp, answer: Answer | ((req: SeenRequest) => Answer | undefined)): Route {
  return (req) => {
    if (req.method !== method) return undefined;
    if (typeof path === 'string' ? req.path !== path : !path.test(req.path)) return undefined;
    return typeof answer === 'function' ? answer(req) : answer;
  };
}

/**
 * Parse a recorded fixture file keeping integer literals beyond 2^53 exact (as JSON.rawJSON), so that
 * serving a recorded `httpResponse` sends the digits the exchange sent, not a rounded double.
 */
export function parseFixture(text: string): any {
  const raw = (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON;
  return JSON.parse(text, function revive(_k: string, v: unknown, ctx?: { source?: string }) {
    if (typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source !== undefined && /^-?\d+$/.test(ctx.source)) return raw(ctx.source);
    return v;
  } as (k: string, v: unknown) => unknown);
}
