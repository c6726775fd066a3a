import WebSocket from 'ws';
import type { AuditEvent, AuditRecorder } from '../../src/security/index.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/server/index.ts';
import { dashboardPlugin } from '../../src/web/index.ts';
import { testUsers, type TestUsers } from '../helpers/api-users.ts';
import { FakeEngine } from './fake-engine.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: any;
}

/** A server with users over a FakeEngine, on loopback, with its audit events, alerts and log lines kept. */
export interface AuthHarness {
  readonly api: ApiServer;
  readonly engine: FakeEngine;
  readonly users: TestUsers;
  readonly audit: AuditEvent[];
  readonly alerts: Array<[string, string]>;
  readonly logs: string[];
  request(method: string, path: string, o?: { token?: string; cookie?: string; totp?: string; csrf?: string; origin?: string; body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  /** Sign in as `name` (password and the current TOTP code, `step` steps ahead): the cookie and the CSRF token. */
  login(name: string, step?: number): Promise<{ cookie: string; csrf: string; answer: Answer }>;
  /** A WebSocket upgrade of /api/stream: 'open' (and the socket) or the refusal's status. */
  stream(o?: { token?: string; cookie?: string; origin?: string }): Promise<{ result: 'open'; ws: WebSocket } | { result: number }>;
  close(): Promise<void>;
}

export async function startAuthHarness(o: Partial<ApiServerOptions> & { users?: TestUsers } = {}): Promise<AuthHarness> {
  const engine = (o.engine as FakeEngine | undefined) ?? new FakeEngine();
  const users = o.users ?? await testUsers();
  const audit: AuditEvent[] = [];
  const alerts: Array<[string, string]> = [];
  const logs: string[] = [];
  const recorder: AuditRecorder = { record: (e) => { audit.push(e); } };
  const api = await startApiServer({
    token: undefined, log: (l) => logs.push(l), audit: recorder, dashboard: dashboardPlugin,
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'keel_up 1\n' }),
    ...o, engine, auth: { users: users.directory, alert: (t, d) => alerts.push([t, d]), ...o.auth },
  });
  const request: AuthHarness['request'] = async (method, path, r = {}) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.token !== undefined) headers.authorization = `Bearer ${r.token}`;
    if (r.cookie !== undefined) headers.cookie = r.cookie;
    if (r.totp !== undefined) headers['x-keel-totp'] = r.totp;
    if (r.csrf !== undefined) headers['x-keel-csrf'] = r.csrf;
    if (r.origin !== undefined) headers.origin = r.origin;
    if (r.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(api.url + path, { method, headers, body: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body) });
    const text = await res.text();
    let body: unknown;
    try { body = JSON.parse(text); } catch { body = undefined; }
    return { status: res.status, headers: res.headers, text, body };
  };
  return {
    api, engine, users, audit, alerts, logs, request,
    async login(name, step = 0) {
      const u = users.users[name];
      const answer = await request('POST', '/api/login', { body: { user: name, password: u.password, totp: users.code(name, step) } });
      const set = answer.headers.get('set-cookie') ?? '';
      return { cookie: set.split(';')[0], csrf: answer.body?.csrf, answer };
    },
    stream(s = {}) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = {};
        if (s.token) headers.authorization = `Bearer ${s.token}`;
        if (s.cookie) headers.cookie = s.cookie;
        const ws = new WebSocket(api.url.replace('http', 'ws') + '/api/stream', { headers, ...(s.origin ? { origin: s.origin } : {}) });
        ws.on('open', () => resolve({ result: 'open', ws }));
        ws.on('unexpected-response', (_req, res) => { resolve({ result: res.statusCode ?? 0 }); ws.terminate(); });
        ws.on('error', reject);
      });
    },
    async close() {
      await api.close();
      if (o.users === undefined) users.close();
    },
  };
}
