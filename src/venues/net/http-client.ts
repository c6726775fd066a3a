import type { Secret } from './credentials.ts';
import { redact } from './credentials.ts';
import { retry } from './backoff.ts';
import type { TokenBucket } from './rate-limit.ts';
import { parseJsonKeepingIds } from './json-ids.ts';
import { parseHttpDate, type ClockSkew } from './clock-skew.ts';
import type { Dispatcher } from 'undici';
import { certificateProblem } from './tls-trust.ts';

/**
 * A thin JSON client over Node's global `fetch`, with what every venue adapter needs and venue SDKs hide: a
 * timeout per request, the shared rate budget, retries only where the policy allows (`backoff.ts`), Retry-After
 * honoured (429, and Binance's 418 ban), clock skew sampled from each answer, ids larger than 2^53 kept exact,
 * and errors that say method, path, status and the venue's message but never a header or a secret.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Why a request failed. `not-sent`: the connection was never made, the venue saw nothing. `timeout` and
 * `network` (connection lost after sending): the venue may or may not have acted. `status`: the venue
 * answered with an error status. `invalid-response`: a success status with a body that is not JSON.
 * `aborted`: the caller gave up. `tls`: the venue's certificate was refused during the handshake, so nothing
 * was sent (and trying again will not help).
 */
export type HttpFailure = 'not-sent' | 'tls' | 'timeout' | 'network' | 'status' | 'invalid-response' | 'aborted';

/** A failed request; the message names venue, method, path, status and the venue's words, nothing else. */
export class HttpError extends Error {
  readonly venue: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly kind: HttpFailure;
  readonly status: number | undefined;
  /** The venue's own explanation (its JSON `message`), secrets redacted. */
  readonly venueMessage: string | undefined;
  /** The venue's Retry-After, in ms. */
  readonly retryAfterMs: number | undefined;
  /** The venue's error code from the body, when it sends one (Alpaca: 40310000 …). */
  readonly venueCode: string | undefined;

  constructor(d: { venue: string; method: HttpMethod; path: string; kind: HttpFailure; status?: number; venueMessage?: string; retryAfterMs?: number; venueCode?: string; detail?: string }) {
    const what = d.status !== undefined ? String(d.status) : d.kind;
    const why = d.venueMessage ?? d.detail;
    super(`${d.venue} ${d.method} ${d.path} → ${what}${why ? `: ${why}` : ''}`);
    this.name = 'HttpError';
    this.venue = d.venue;
    this.method = d.method;
    this.path = d.path;
    this.kind = d.kind;
    this.status = d.status;
    this.venueMessage = d.venueMessage;
    this.retryAfterMs = d.retryAfterMs;
    this.venueCode = d.venueCode;
  }

  /** The venue may have acted on the request though we have no (good) answer: timeouts, lost connections, 5xx. */
  get outcomeUnknown(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || this.kind === 'invalid-response' || (this.kind === 'status' && (this.status ?? 0) >= 500);
  }

  /** The venue refused for load (429) or banned us for a while (418): nothing was done. */
  get rateLimited(): boolean {
    return this.kind === 'status' && (this.status === 429 || this.status === 418);
  }
}

/** Default retry test: transient failures only; a 4xx other than 429 will fail the same way again. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof HttpError)) return false;
  if (e.kind === 'status') return e.status === 429 || (e.status ?? 0) >= 500;
  return e.kind !== 'aborted' && e.kind !== 'tls';
}

export interface HttpClientOptions {
  /** Names the venue in errors and events ("alpaca"). */
  readonly venue: string;
  readonly baseUrl: string;
  /** Headers for every request, e.g. authentication; called per request. Never logged, never in errors. */
  readonly headers?: () => Record<string, string>;
  /** Redacted from anything the venue sends back before it reaches an error. */
  readonly secrets?: readonly Secret[];
  /** Per-request timeout (default 10 000 ms). */
  readonly timeoutMs?: number;
  readonly retry?: { readonly attempts: number; readonly baseMs: number; readonly maxMs: number; readonly random?: () => number };
  /** Buckets every request takes a token from (the account-wide limit). */
  readonly buckets?: readonly TokenBucket[];
  readonly skew?: ClockSkew;
  /** Injectable for tests. */
  readonly fetch?: typeof fetch;
  /** The undici dispatcher of every request (`venueDispatcher`: trusts a configured CA besides the public roots). */
  readonly dispatcher?: Dispatcher;
  /** One event per attempt, for logs and metrics (no headers, no bodies). */
  readonly onEvent?: (e: HttpEvent) => void;
}

export interface HttpEvent {
  readonly venue: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly attempt: number;
  readonly ms: number;
  readonly status?: number;
  readonly error?: string;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  /** Path below the base URL, e.g. `/v2/orders`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Safe to send twice (default: GET, PUT, DELETE yes; POST, PATCH no). See `backoff.ts` for the policy. */
  readonly idempotent?: boolean;
  /** Which failures to retry (default `isTransient`). */
  readonly isRetryable?: (e: HttpError) => boolean;
  /** Extra buckets for this request's endpoint group (taken in addition to the client's). */
  readonly buckets?: readonly TokenBucket[];
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  /** Parsed JSON (ids beyond 2^53 as strings); undefined for an empty body. */
  readonly body: T;
  readonly headers: Headers;
  readonly sentAt: number;
  readonly receivedAt: number;
}

let sendGuard: (() => string | undefined) | undefined;

/**
 * Install the check every venue request that changes something (POST, PATCH, DELETE) passes right before it
 * leaves: a reason refuses it as `not-sent` (its outcome is certain: the venue never saw it). An active of an
 * active/standby pair installs its lease's check, so that a request queued behind a rate limit while the
 * process was paused is not sent on waking. One per process (one engine per process); undefined removes it.
 *
 * @example guardVenueRequests(() => keeper.leaseProblem());
 */
export function guardVenueRequests(guard: (() => string | undefined) | undefined): void {
  sendGuard = guard;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * @example
 * const http = new HttpClient({ venue: 'alpaca', baseUrl: 'https://paper-api.alpaca.markets', headers: () => auth });
 * const { body } = await http.request({ method: 'GET', path: '/v2/account' });
 */
export class HttpClient {
  private readonly o: HttpClientOptions;
  private readonly fetchFn: typeof fetch;
  private readonly base: string;

  constructor(o: HttpClientOptions) {
    this.o = o;
    this.fetchFn = o.fetch ?? fetch;
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** Send with rate limiting, timeout and the retry policy; resolves on 2xx, else rejects with an HttpError. */
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const r = this.o.retry ?? { attempts: 3, baseMs: 200, maxMs: 5000 };
    const idempotent = req.idempotent ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    const isRetryable = req.isRetryable ?? isTransient;
    return retry((attempt) => this.once<T>(req, attempt), {
      ...r,
      idempotent,
      isRetryable: (e) => e instanceof HttpError && isRetryable(e),
      retryAfterMs: (e) => (e instanceof HttpError ? e.retryAfterMs : undefined),
      signal: req.signal,
    });
  }

  private async once<T>(req: HttpRequest, attempt: number): Promise<HttpResponse<T>> {
    const buckets = [...(req.buckets ?? []), ...(this.o.buckets ?? [])];
    // Waiting for a token is not part of the timeout: until it is sent, a request's outcome is certain.
    for (const b of buckets) await b.take(1, req.signal);
    const timeout = AbortSignal.timeout(req.timeoutMs ?? this.o.timeoutMs ?? 10_000);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...(this.o.headers?.() ?? {}) };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const fail = (kind: HttpFailure, extra: { status?: number; venueMessage?: string; retryAfterMs?: number; venueCode?: string; detail?: string } = {}) =>
      new HttpError({ venue: this.o.venue, method: req.method, path: req.path, kind, ...extra });
    // The last moment before a request that changes something leaves (after any wait for a rate-limit token):
    // an active/standby node that may have lost its lease meanwhile sends nothing (runtime/failover).
    if (req.method !== 'GET') {
      const refused = sendGuard?.();
      if (refused !== undefined) throw fail('not-sent', { detail: `refused before sending: ${refused}` });
    }
    const sentAt = Date.now();
    const event = (status?: number, error?: string) => this.o.onEvent?.({ venue: this.o.venue, method: req.method, path: req.path, attempt, ms: Date.now() - sentAt, status, error });
    let res: Response;
    let text: string;
    try {
      const init = { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body), signal };
      // `dispatcher` is undici's extension of fetch's options (Node's fetch is undici).
      res = await this.fetchFn(this.url(req), (this.o.dispatcher ? { ...init, dispatcher: this.o.dispatcher } : init) as RequestInit);
      text = await res.text();
    } catch (e) {
      const err = timeout.aborted ? fail('timeout', { detail: `no answer within ${req.timeoutMs ?? this.o.timeoutMs ?? 10_000} ms` })
        : req.signal?.aborted ? fail('aborted')
        : certificateProblem(causeCode(e)) !== undefined ? fail('tls', { detail: `TLS certificate refused: ${certificateProblem(causeCode(e))} (${causeCode(e)}); nothing was sent` })
        : NOT_SENT_CODES.has(causeCode(e)) ? fail('not-sent', { detail: causeCode(e) })
        : fail('network', { detail: causeCode(e) || 'connection lost' });
      event(undefined, err.kind);
      throw err;
    }
    const receivedAt = Date.now();
    this.o.skew?.observe(sentAt, receivedAt, parseHttpDate(res.headers.get('date')), 1000);
    event(res.status);
    if (res.status === 429 || res.status === 418) {
      // The whole account (or IP) is over its limit, not just this request: pause everyone sharing the budget.
      const wait = retryAfterMs(res.headers.get('retry-after'), receivedAt) ?? 1000;
      for (const b of buckets) b.pauseFor(wait);
      throw fail('status', { status: res.status, retryAfterMs: wait, ...this.venueWords(text) });
    }
    if (res.status < 200 || res.status >= 300) {
      throw fail('status', { status: res.status, retryAfterMs: retryAfterMs(res.headers.get('retry-after'), receivedAt), ...this.venueWords(text) });
    }
    let body: unknown;
    try {
      body = text.trim() === '' ? undefined : parseJsonKeepingIds(text);
    } catch {
      throw fail('invalid-response', { status: res.status, detail: 'the body is not JSON' });
    }
    return { status: res.status, body: body as T, headers: res.headers, sentAt, receivedAt };
  }

  private url(req: HttpRequest): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return `${this.base}${req.path}${qs ? `?${qs}` : ''}`;
  }

  /** The venue's message and code from an error body, secrets redacted, bounded in length. */
  private venueWords(text: string): { venueMessage?: string; venueCode?: string } {
    let message: string | undefined;
    let code: string | undefined;
    try {
      const j = parseJsonKeepingIds(text) as Record<string, unknown>;
      const m = j?.message ?? j?.msg ?? j?.error;
      if (typeof m === 'string') message = m;
      if (j?.code !== undefined) code = String(j.code);
    } catch {
      message = text.trim() || undefined;
    }
    if (message === undefined) return code === undefined ? {} : { venueCode: code };
    const clean = redact(message, this.o.secrets ?? []).replace(/\s+/g, ' ');
    return { venueMessage: clean.length > 300 ? `${clean.slice(0, 297)}...` : clean, ...(code === undefined ? {} : { venueCode: code }) };
  }
}

/**
 * Retry-After as ms from `now`: delta seconds ("2") or an HTTP date. Undefined when absent or unreadable.
 *
 * @example retryAfterMs('2', Date.now()) // 2000
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = parseHttpDate(s);
  return t === undefined ? undefined : Math.max(0, t - now);
}

function causeCode(e: unknown): string {
  const c = (e as { cause?: { code?: unknown } })?.cause?.code;
  return typeof c === 'string' ? c : '';
}
