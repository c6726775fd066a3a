import { KeelError } from '../../model/index.ts';
import type { AuditAction } from './audit-actions.ts';
import { isAuditAction } from './audit-actions.ts';
import { canonicalJson, checkText, MAX_DETAILS_BYTES, type AuditValue } from './canonical-json.ts';

/**
 * Who did it, as recorded:
 * - `user:<name>`: a signed-in Keel user (the server's authentication);
 * - `cli:<os user>`: someone at this machine's command line (`keel kill --control`, `keel users add`);
 * - `token`: a holder of the shared API token (KEEL_API_TOKEN, before users exist);
 * - `anonymous`: a caller who did not authenticate (a refused request: wrong or missing credentials);
 * - `system`: Keel itself (an engine's own actions, e.g. canceling at shutdown).
 */
export type AuditActor = 'system' | 'token' | 'anonymous' | `user:${string}` | `cli:${string}`;

/**
 * From where: `ip:<address>` (an API or dashboard request; `req.ip`, see docs/security.md about proxies),
 * `cli` (a command run on this machine), `control-dir` (a command file in an engine's control directory),
 * `engine` (the engine process itself).
 */
export type AuditOrigin = 'cli' | 'control-dir' | 'engine' | `ip:${string}`;

/** What came of it. A refusal (`denied`: not allowed; `failed`: allowed but it did not work) says why. */
export type AuditResult =
  | { readonly status: 'ok' }
  | { readonly status: 'denied'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

/** A small object of facts about the event (canonical-json.ts says what it may hold). Never a secret's value. */
export type AuditDetails = { readonly [key: string]: AuditValue };

/** Who and from where, together (the API and the engine pass them along with every operator action). */
export interface AuditSubject {
  readonly actor: AuditActor;
  readonly origin: AuditOrigin;
}

/**
 * An audit event: who, from where, did what, to what, with which result. `ts` (UTC epoch ms) defaults to the
 * time it is recorded.
 *
 * @example
 * await audit.record({ actor: 'token', origin: 'ip:127.0.0.1', action: 'kill', result: AUDIT_OK, details: { flatten: true, reason: 'drill' } });
 */
export interface AuditEvent extends AuditSubject {
  readonly action: AuditAction;
  /** The thing acted on: a user, a strategy, an order id, a secret's name, a config file. */
  readonly target?: string;
  readonly result: AuditResult;
  readonly details?: AuditDetails;
  readonly ts?: number;
}

/** An audit event as stored: its place in the chain and the hashes that link it. */
export interface AuditRecord extends AuditEvent {
  readonly seq: number;
  readonly ts: number;
  readonly details: AuditDetails;
  /** Hex SHA-256 of the previous record (the chain's genesis value for seq 1). */
  readonly prevHash: string;
  /** Hex SHA-256 over this record's canonical form, which includes `prevHash` (chain.ts). */
  readonly hash: string;
}

export const AUDIT_OK: AuditResult = { status: 'ok' };

/** @example auditDenied('missing role risk') */
export function auditDenied(reason: string): AuditResult {
  return { status: 'denied', reason };
}

/** @example auditFailed('already ACTIVE') */
export function auditFailed(reason: string): AuditResult {
  return { status: 'failed', reason };
}

/** Limits of the text fields, so a runaway caller cannot bloat the trail. */
const MAX_ACTOR = 200;
const MAX_TARGET = 500;
const MAX_REASON = 1000;

/**
 * Detail keys that name a secret's value. An audit trail is read by many and kept for years: a secret in it
 * is leaked for good, so such a key is refused outright (record the secret's name as the target instead).
 */
const SECRET_KEYS = /^(password|passphrase|secret|secretvalue|token|apikey|api_key|apisecret|api_secret|privatekey|private_key|totp|otp|mfacode)$/i;

/** The parts of a record the chain hashes, checked and in canonical form (details as canonical JSON text). */
export interface CheckedAuditEvent {
  readonly actor: string;
  readonly origin: string;
  readonly action: string;
  readonly target: string | null;
  readonly result: 'ok' | 'denied' | 'failed';
  readonly reason: string | null;
  readonly details: string;
  readonly ts: number | undefined;
}

/**
 * Check an event handed to `AuditLog.record` (it may come from untyped code: a route body, a parsed file)
 * and put it in stored form. Throws a one-line KeelError BAD_AUDIT_EVENT naming the field.
 */
export function checkAuditEvent(e: AuditEvent): CheckedAuditEvent {
  if (typeof e !== 'object' || e === null) throw new KeelError('BAD_AUDIT_EVENT', 'must be an audit event object', { field: 'event' });
  const actor = checkText(e.actor, 'actor', MAX_ACTOR);
  if (!/^(system|token|anonymous|user:.+|cli:.+)$/s.test(actor)) {
    throw new KeelError('BAD_AUDIT_EVENT', 'must be system, token, anonymous, user:<name> or cli:<os user>', { field: 'actor', value: actor });
  }
  const origin = checkText(e.origin, 'origin', MAX_ACTOR);
  if (!/^(cli|control-dir|engine|ip:.+)$/s.test(origin)) {
    throw new KeelError('BAD_AUDIT_EVENT', 'must be cli, control-dir, engine or ip:<address>', { field: 'origin', value: origin });
  }
  if (typeof e.action !== 'string' || !isAuditAction(e.action)) {
    throw new KeelError('BAD_AUDIT_EVENT', 'is not an audit action', { field: 'action', value: String(e.action), hint: 'see AUDIT_ACTIONS in security/audit/audit-actions.ts' });
  }
  const target = e.target === undefined ? null : checkText(e.target, 'target', MAX_TARGET);
  const r = e.result as Partial<{ status: unknown; reason: unknown }> | undefined;
  if (r?.status !== 'ok' && r?.status !== 'denied' && r?.status !== 'failed') {
    throw new KeelError('BAD_AUDIT_EVENT', 'must be ok, denied or failed', { field: 'result.status', value: String(r?.status) });
  }
  const reason = r.status === 'ok' ? null : checkText(r.reason, 'result.reason', MAX_REASON);
  if (reason !== null && reason.trim() === '') throw new KeelError('BAD_AUDIT_EVENT', `must say why it was ${r.status}`, { field: 'result.reason' });
  const detailsValue = e.details ?? {};
  if (typeof detailsValue !== 'object' || detailsValue === null || Array.isArray(detailsValue)) {
    throw new KeelError('BAD_AUDIT_EVENT', 'must be an object', { field: 'details' });
  }
  refuseSecretKeys(detailsValue, 'details');
  const details = canonicalJson(detailsValue, 'details');
  if (Buffer.byteLength(details) > MAX_DETAILS_BYTES) {
    throw new KeelError('BAD_AUDIT_EVENT', `must be at most ${MAX_DETAILS_BYTES} bytes as JSON (it is ${Buffer.byteLength(details)})`, { field: 'details' });
  }
  if (e.ts !== undefined && (!Number.isSafeInteger(e.ts) || e.ts < 0)) {
    throw new KeelError('BAD_AUDIT_EVENT', 'must be UTC epoch milliseconds (a whole number)', { field: 'ts', value: e.ts });
  }
  return { actor, origin, action: e.action, target, result: r.status, reason, details, ts: e.ts };
}

function refuseSecretKeys(v: unknown, field: string): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    v.forEach((x, i) => refuseSecretKeys(x, `${field}[${i}]`));
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (SECRET_KEYS.test(k)) {
      throw new KeelError('BAD_AUDIT_EVENT', 'looks like a secret value: the audit trail records names, never secrets', {
        field: `${field}.${k}`, hint: 'put the secret\'s name in target instead',
      });
    }
    refuseSecretKeys(x, `${field}.${k}`);
  }
}
