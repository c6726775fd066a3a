import { loadCredentials, Secret } from '../net/index.ts';

/** A ccxt account's credentials; every secret is a `Secret` (prints `[redacted]`). */
export interface CcxtCredentials {
  readonly apiKey: string | undefined;
  readonly secret: Secret | undefined;
  /** The passphrase some exchanges add (okx, kucoin). */
  readonly password: Secret | undefined;
}

/**
 * Environment variable names for an exchange's credentials: `KEEL_CCXT_<EXCHANGE>_API_KEY`, `_SECRET`,
 * `_PASSWORD` (the id upper-cased, e.g. KEEL_CCXT_BINANCEUS_API_KEY).
 *
 * @example credentialEnvNames('kraken').apiKey // 'KEEL_CCXT_KRAKEN_API_KEY'
 */
export function credentialEnvNames(exchange: string): { apiKey: string; secret: string; password: string } {
  const base = `KEEL_CCXT_${exchange.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return { apiKey: `${base}_API_KEY`, secret: `${base}_SECRET`, password: `${base}_PASSWORD` };
}

/**
 * Credentials from the config, else the environment. None at all is allowed (public market data only; a
 * private call then fails with a clear line); half a pair is a KeelError naming the missing one.
 *
 * @example resolveCredentials('kraken', {}, { KEEL_CCXT_KRAKEN_API_KEY: 'k', KEEL_CCXT_KRAKEN_SECRET: 's' })
 */
export function resolveCredentials(
  exchange: string,
  fromConfig: { apiKey?: string | Secret; secret?: string | Secret; password?: string | Secret },
  env: Readonly<Record<string, string | undefined>>,
): CcxtCredentials {
  const names = credentialEnvNames(exchange);
  const password = fromConfig.password ?? env[names.password];
  if ((fromConfig.apiKey ?? env[names.apiKey]) === undefined && (fromConfig.secret ?? env[names.secret]) === undefined) {
    return { apiKey: undefined, secret: undefined, password: undefined };
  }
  const c = loadCredentials({
    keyId: fromConfig.apiKey, secret: fromConfig.secret, keyIdEnv: names.apiKey, secretEnv: names.secret, env, venue: `ccxt.${exchange}`,
  });
  return { apiKey: c.keyId, secret: c.secret, password: password === undefined || password === '' ? undefined : password instanceof Secret ? password : new Secret(password) };
}
