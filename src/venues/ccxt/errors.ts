import ccxt from 'ccxt';

/**
 * What an error from a ccxt call means for Keel. ccxt throws a class hierarchy (`NetworkError` ⊃
 * `RateLimitExceeded`, `RequestTimeout`…; `ExchangeError` ⊃ `InvalidOrder`, `InsufficientFunds`…); the
 * adapter only needs to know which of these outcomes it is:
 *
 * - `rate-limit`: refused before being processed (429/418, DDoS protection): wait and try again;
 * - `unknown`: the request may or may not have been acted on (timeout, connection lost, exchange down):
 *   a write is never resent blindly; its outcome is looked up;
 * - `rejected`: the exchange refused this request (funds, order rules, bad symbol): final, with its reason;
 * - `duplicate`: the client order id exists already: the order is there, look it up;
 * - `not-found`: the order is not (or no longer) at the exchange;
 * - `auth`: credentials refused: no retry helps;
 * - `not-supported`: ccxt or the exchange cannot do this;
 * - `bug`: anything else (a TypeError in our code or ccxt's): crash loudly in tests, stop trading live.
 */
export type CcxtFailureKind = 'rate-limit' | 'unknown' | 'rejected' | 'duplicate' | 'not-found' | 'auth' | 'not-supported' | 'bug';

/**
 * Classify an error thrown by a ccxt method.
 *
 * @example classifyCcxtError(new ccxt.InsufficientFunds('alpaca {"message":"insufficient balance"}')) // 'rejected'
 */
export function classifyCcxtError(e: unknown): CcxtFailureKind {
  if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) return 'rate-limit';
  if (e instanceof ccxt.InvalidNonce) return 'rate-limit'; // refused before processing; a resend gets a fresh nonce
  if (e instanceof ccxt.NetworkError) return 'unknown'; // RequestTimeout, ExchangeNotAvailable, OnMaintenance…
  if (e instanceof ccxt.AuthenticationError || e instanceof ccxt.PermissionDenied || e instanceof ccxt.AccountSuspended) return 'auth';
  if (e instanceof ccxt.DuplicateOrderId) return 'duplicate';
  if (e instanceof ccxt.OrderNotFound) return 'not-found';
  if (e instanceof ccxt.NotSupported) return 'not-supported';
  if (e instanceof ccxt.ExchangeError) return 'rejected'; // InsufficientFunds, InvalidOrder, BadSymbol, BadRequest…
  if (e instanceof ccxt.BaseError) return 'unknown'; // e.g. BadResponse, NullResponse: the request was sent
  return 'bug';
}

/**
 * The exchange's own words from a ccxt error, for a report reason: ccxt messages read
 * `<id> <response body>`; the JSON `message`/`msg`/`error` field is kept when there is one.
 *
 * @example exchangeReason(new ccxt.InsufficientFunds('alpaca {"code":40310000,"message":"insufficient balance for USD"}')) // 'insufficient balance for USD'
 */
export function exchangeReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const brace = text.indexOf('{');
  if (brace >= 0) {
    try {
      const body = JSON.parse(text.slice(brace)) as Record<string, unknown>;
      const m = body['message'] ?? body['msg'] ?? body['error'];
      const msg = Array.isArray(m) ? m.join('; ') : m;
      if (typeof msg === 'string' && msg !== '') return msg;
    } catch { /* not JSON: use the whole text */ }
  }
  return text.split('\n')[0];
}

/** ccxt's class name for the error ("InsufficientFunds"), for reasons and logs. */
export function ccxtErrorName(e: unknown): string {
  return e instanceof Error ? e.constructor.name : typeof e;
}
