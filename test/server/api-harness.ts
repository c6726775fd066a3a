import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/server/index.ts';
import { FakeEngine } from './fake-engine.ts';

export const TOKEN = 'kt_5d1f0c9a77e24b3c8e6a';

export interface Reply {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  readonly body: any;
}

/** A server over a FakeEngine on loopback, with the log lines and every response text kept for leak checks. */
export interface Harness {
  readonly api: ApiServer;
  readonly engine: FakeEngine;
  readonly logs: string[];
  readonly responses: string[];
  get(path: string): Promise<Reply>;
  /** POST with the harness token unless `token` says otherwise (null: no Authorization header). */
  post(path: string, body?: unknown, o?: { token?: string | null; authorization?: string }): Promise<Reply>;
  close(): Promise<void>;
}

export async function startHarness(o: Partial<ApiServerOptions> = {}): Promise<Harness> {
  const engine = (o.engine as FakeEngine | undefined) ?? new FakeEngine();
  const logs: string[] = [];
  const responses: string[] = [];
  const api = await startApiServer({ token: TOKEN, log: (l) => logs.push(l), ...o, engine });
  const request = async (path: string, init?: RequestInit): Promise<Reply> => {
    const r = await fetch(api.url + path, init);
    const text = await r.text();
    responses.push(text, JSON.stringify([...r.headers]));
    let body: unknown;
    try { body = JSON.parse(text); } catch { body = undefined; }
    return { status: r.status, contentType: r.headers.get('content-type'), text, body };
  };
  return {
    api, engine, logs, responses,
    get: (path) => request(path),
    post: (path, body, p = {}) => {
      const token = p.token === undefined ? TOKEN : p.token;
      const headers: Record<string, string> = {};
      if (p.authorization !== undefined) headers.authorization = p.authorization;
      else if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return request(path, { method: 'POST', headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    },
    close: () => api.close(),
  };
}
