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
  let url: URL;
  try {
    url = new URL(path, f.api.endsWith('/') ? f.api : `${f.api}/`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
  } catch {
    throw new KeelError('BAD_ARGUMENT', 'is not an http(s) URL', { field: '--api', value: f.api, hint: 'e.g. --api https://127.0.0.1:7070' });
  }
  const token = readToken(f['token-file'] ?? process.env.KEEL_API_TOKEN_FILE);
  const totp = f.totp ?? (await askTotp());
  const ca = f.cacert === undefined ? undefined : readText(f.cacert, '--cacert');
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  if (totp !== undefined && totp !== '') headers['x-keel-totp'] = totp.trim();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, ca, timeout: f.timeout }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { data += d; });
      res.on('end', () => {
        let parsed: { message?: unknown; error?: unknown } = {};
        try { parsed = JSON.parse(data) as typeof parsed; } catch { /* not JSON: say the status */ }
        const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.error === 'string' ? parsed.error : `HTTP ${res.statusCode}`;
        resolve({ status: res.statusCode ?? 0, message });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${f.timeout / 1000}s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new KeelError('API_UNREACHABLE', `cannot be reached: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ').trim(), {
      field: '--api', value: f.api, hint: e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' ? 'a self-signed certificate: pass --cacert tls/cert.pem' : 'is the engine running with an api: section?',
    })));
    req.end(text);
  });
}

function readToken(file: string | undefined): string {
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
