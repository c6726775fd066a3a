import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KeelError } from '../model/index.ts';
import { terminalPrompt } from './prompt.ts';

/**
 * `keel kill --api URL` and `keel rearm --api URL`: the operator action over the engine's HTTP API (where the
 * engine runs on another machine, or users and TOTP must apply), as opposed to `--control DIR` on this one.
 * The token comes from a file (never argv: `ps` shows argv to every local user); the TOTP code from
 * `--totp` (single use, valid 90 s at most) or a no-echo prompt on the terminal.
 */
export interface ApiActionFlags {
  readonly api: string;
  readonly 'token-file'?: string;
  readonly totp?: string;
  readonly cacert?: string;
  readonly timeout: number;
}

export const API_FLAGS = { api: { type: 'string' }, 'token-file': { type: 'string' }, totp: { type: 'string' }, cacert: { type: 'string' } } as const;

export const API_FLAGS_HELP = `  --api URL        act through the engine's HTTP API instead (https://host:7070): needs --token-file
  --token-file F   a file holding your API token (keel users token NAME), or KEEL_API_TOKEN without users
                   (else KEEL_API_TOKEN_FILE); never the token itself on the command line
  --totp CODE      the current code of your authenticator app (kill and re-arm need one); asked for on
                   the terminal when left out
  --cacert FILE    trust this certificate for https (a self-signed one: tls/cert.pem)
`;

/** What the API answered: the status and the one-line message (ActionResult.message or ErrorReply.error). */
export interface ApiAnswer {
  readonly status: number;
  readonly message: string;
}

/**
 * POST an action to the API with the user's token and TOTP code.
 *
 * @example await postAction({ api: 'https://127.0.0.1:7070', 'token-file': 'alice.token', totp: '123456', timeout: 10_000 }, '/api/kill', { flatten: false, reason: 'drill' })
 */
export async function postAction(f: ApiActionFlags, path: string, body: object): Promise<ApiAnswer> {
  const token = readToken(f['token-file'] ?? process.env.KEEL_API_TOKEN_FILE);
  const totp = f.totp ?? (await askTotp());
  const r = await apiRequest({ api: f.api, token, totp, cacert: f.cacert, timeout: f.timeout }, 'POST', path, body);
  const parsed = (r.body ?? {}) as { message?: unknown; error?: unknown };
  const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.error === 'string' ? parsed.error : `HTTP ${r.status}`;
  return { status: r.status, message };
}

/** What `apiRequest` needs: the API's address, the bearer token, a TOTP code for a dangerous action, a CA to trust. */
export interface ApiTarget {
  readonly api: string;
  readonly token?: string;
  readonly totp?: string;
  readonly cacert?: string;
  readonly timeout: number;
}

/**
 * One request to the engine's API over http or https (trusting `cacert` as well as the system's CAs), with the
 * token and TOTP code as headers; the answer's status and its body parsed as JSON (the text when it is not).
 * An address that cannot be reached is a KeelError naming `--api`.
 *
 * @example await apiRequest({ api: 'https://127.0.0.1:7070', token, cacert: 'tls/cert.pem', timeout: 10_000 }, 'GET', '/api/rollout')
 */
export async function apiRequest(t: ApiTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  let url: URL;
  try {
    url = new URL(path, t.api.endsWith('/') ? t.api : `${t.api}/`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
  } catch {
    throw new KeelError('BAD_ARGUMENT', 'is not an http(s) URL', { field: '--api', value: t.api, hint: 'e.g. --api https://127.0.0.1:7070' });
  }
  const ca = t.cacert === undefined ? undefined : readText(t.cacert, '--cacert');
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (t.token !== undefined) headers.authorization = `Bearer ${t.token}`;
  if (text !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = String(Buffer.byteLength(text)); }
  if (t.totp !== undefined && t.totp.trim() !== '') headers['x-keel-totp'] = t.totp.trim();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ca, timeout: t.timeout }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { data += d; });
      res.on('end', () => {
        let parsed: unknown = data;
        try { parsed = JSON.parse(data); } catch { /* not JSON: the text as is */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${t.timeout / 1000}s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new KeelError('API_UNREACHABLE', `cannot be reached: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ').trim(), {
      field: '--api', value: t.api, hint: e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' ? 'a self-signed certificate: pass --cacert tls/cert.pem' : 'is the engine running with an api: section?',
    })));
    req.end(text);
  });
}

/** The token in `file` (one line), for `--token-file`. */
export function readToken(file: string | undefined): string {
  if (file === undefined) throw new KeelError('MISSING_ARGUMENT', 'is required with --api', { field: '--token-file', hint: 'a file holding your token (keel users token NAME prints one), or set KEEL_API_TOKEN_FILE' });
  const token = readText(file, '--token-file').trim();
  if (token === '' || /\s/.test(token)) throw new KeelError('BAD_ARGUMENT', 'must hold one token on one line', { field: '--token-file', value: file });
  return token;
}

function readText(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeelError('BAD_ARGUMENT', `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { field, value: file });
  }
}

async function askTotp(): Promise<string | undefined> {
  const prompt = terminalPrompt();
  return prompt === undefined ? undefined : prompt('TOTP code (from your authenticator app; Enter for none): ');
}
