import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AlpacaAccount } from './account.ts';
import { unauthorized } from './api-error.ts';
import type { FaultControl } from './faults.ts';
import type { AlpacaVenueKey } from './options.ts';
import type { VenueState } from './venue-state.ts';

/** What the routes and streams share: the books (which a restart may swap), the keys, the faults, counters. */
export interface VenueContext {
  state: VenueState;
  readonly keys: ReadonlyMap<string, AlpacaVenueKey>;
  readonly faults: FaultControl;
  readonly counters: { requests: number; unauthorized: number; ordersSubmitted: number; streamMessages: number };
  readonly adminToken: string | undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Constant time, so a wrong secret's response time says nothing about how much of it was right.
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The account a key pair opens, or undefined when the pair is wrong (the caller answers 401 without saying which
 * half was wrong).
 */
export function accountFor(ctx: VenueContext, keyId: unknown, secret: unknown): { keyId: string; account: AlpacaAccount } | undefined {
  if (typeof keyId !== 'string' || typeof secret !== 'string') return undefined;
  const key = ctx.keys.get(keyId);
  if (key === undefined || !sameSecret(key.secret, secret)) return undefined;
  const account = ctx.state.accounts.get(key.account ?? key.keyId);
  return account === undefined ? undefined : { keyId, account };
}

const byRequest = new WeakMap<FastifyRequest, AlpacaAccount>();

/** Remember the authenticated account of a request (set by the auth hook). */
export function setRequestAccount(req: FastifyRequest, account: AlpacaAccount): void {
  byRequest.set(req, account);
}

/** The request's account; the auth hook ran before any API route, so a miss is a 401. */
export function requestAccount(req: FastifyRequest): AlpacaAccount {
  const a = byRequest.get(req);
  if (a === undefined) throw unauthorized();
  return a;
}
