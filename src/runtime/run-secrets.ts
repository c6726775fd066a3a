import { KeelError, Secret } from '../model/index.ts';
import { CHANNEL_SECRET_FIELDS, MIN_SECRET_LENGTH } from '../ops/index.ts';
import { secretEntry, secretRefName, type OpenVault } from '../security/index.ts';
import type { RunConfig } from './run-config.ts';

/**
 * `secret:NAME` in a run config: a credential named, not written. Only credential fields may hold one (the
 * venue's keys and the alert channels' URLs, keys, tokens and SMTP login); anywhere else it is refused, since
 * a value from the vault in an ordinary field would be printed like any other. They are resolved once, at
 * start-up, before anything connects, into `Secret`s (never printed) whose values the caller adds to the log
 * scrubber.
 */

/** The credential fields of each venue kind (a venue section's own keys, also for backupFeeds). */
export const VENUE_SECRET_FIELDS: { readonly [K in RunConfig['venue']['kind']]: readonly string[] } = {
  sim: [], alpaca: ['keyId', 'secret'], ccxt: ['apiKey', 'secret', 'password'], fix: ['password'],
  // TWS / IB Gateway holds the login; the API socket carries no credential.
  ib: [],
};

/** Fields whose value must be an http(s) URL once resolved (a webhook URL in the vault is checked like one in the file). */
const URL_FIELDS = new Set(['url']);

/** One `secret:NAME` in the config: where (`keel.yaml: venue.secret`), which secret, and the path to replace. */
export interface SecretUse {
  readonly field: string;
  readonly name: string;
  readonly path: readonly (string | number)[];
}

export interface ResolvedRunSecrets {
  /** The config with each reference replaced by a `Secret`. */
  readonly config: RunConfig;
  /** The resolved values, for the log scrubber. */
  readonly secrets: readonly Secret[];
  readonly uses: readonly SecretUse[];
  /** The vault, when the config needed it (the API can build its UserDirectory from it without a second passphrase). */
  readonly vault: OpenVault | undefined;
}

/** Every `secret:NAME` in the config; a KeelError for one in a field that is not a credential or a malformed one. */
export function secretUses(cfg: RunConfig): SecretUse[] {
  const uses: SecretUse[] = [];
  const at = (path: readonly (string | number)[]) => `${cfg.source}: ${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')}`;
  const allowed = (path: readonly (string | number)[]): boolean => {
    const [top, a, b, c] = path;
    if (top === 'venue' && path.length === 2) return VENUE_SECRET_FIELDS[cfg.venue.kind].includes(String(a));
    if (top === 'backupFeeds' && path.length === 3) return VENUE_SECRET_FIELDS[(cfg.backupFeeds![a as number]).kind].includes(String(b));
    if (top === 'alerts' && a === 'channels' && path.length === 4) {
      const type = cfg.alerts!.channels[b as number].type;
      return CHANNEL_SECRET_FIELDS[type].includes(String(c));
    }
    return false;
  };
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (typeof v === 'string') {
      const name = secretRefName(v, at(path));
      if (name === undefined) return;
      if (!allowed(path)) {
        throw new KeelError('BAD_SECRET_REF', 'is not a credential field: secret:NAME is for the venue\'s keys and the alert channels\' URLs, keys, tokens and SMTP login', {
          field: at(path), value: v, hint: 'docs/security.md lists the fields',
        });
      }
      uses.push({ field: at(path), name, path: [...path] });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
    } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  const { source: _source, riskText: _riskText, ...rest } = cfg;
  walk(rest, []);
  return uses;
}

/**
 * Resolve the config's `secret:` references from the vault; the vault is opened (and its passphrase asked
 * for) only when there is one. Every failure is one line naming the first config key and secret concerned:
 *   keel.yaml: venue.secret = "secret:ALPACA_SECRET": needs the vault keel.vault, which cannot be opened: wrong passphrase …
 *
 * @example const { config, secrets } = await resolveRunSecrets(cfg, { path: 'keel.vault', open: () => openVault('keel.vault', passphrase) });
 */
export async function resolveRunSecrets(cfg: RunConfig, vault: { readonly path: string; readonly open: () => Promise<OpenVault> }): Promise<ResolvedRunSecrets> {
  const uses = secretUses(cfg);
  if (uses.length === 0) return { config: cfg, secrets: [], uses, vault: undefined };
  const first = uses[0];
  let opened: OpenVault;
  try {
    opened = await vault.open();
  } catch (e) {
    if (!(e instanceof KeelError)) throw e;
    const why = e.field === 'vault' ? `needs the vault ${vault.path}, which ${e.reason}` : `needs the vault ${vault.path}: ${e.message}`;
    throw new KeelError(e.code, why, { field: first.field, value: `secret:${first.name}`, hint: e.field === 'vault' ? e.hint : undefined });
  }
  const values = new Map<string, Secret>();
  let config: RunConfig = cfg;
  for (const use of uses) {
    let value: Secret;
    try {
      value = secretEntry(opened.contents, use.name, use.field).value;
    } catch (e) {
      if (!(e instanceof KeelError)) throw e;
      throw new KeelError(e.code, `names a secret that is not in the vault ${vault.path}`, { field: use.field, value: `secret:${use.name}`, hint: e.hint });
    }
    const text = value.reveal();
    if (text.length < MIN_SECRET_LENGTH) {
      throw new KeelError('SECRET_TOO_SHORT', `names a secret of ${text.length} characters, too short to be scrubbed from logs (at least ${MIN_SECRET_LENGTH})`, { field: use.field, value: `secret:${use.name}` });
    }
    if (URL_FIELDS.has(String(use.path[use.path.length - 1])) && !/^https?:\/\/[^\s]+$/.test(text)) {
      throw new KeelError('BAD_RUN_CONFIG', 'names a secret that is not an http(s) URL', { field: use.field, value: `secret:${use.name}`, hint: `keel secrets set ${use.name} to the full URL` });
    }
    values.set(use.name, value);
    config = replaceAt(config, use.path, value) as RunConfig;
  }
  return { config, secrets: [...values.values()], uses, vault: opened };
}

/** A copy of `v` with the value at `path` replaced (only the objects and arrays along the path are copied). */
function replaceAt(v: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const out = [...v];
    out[head as number] = replaceAt(v[head as number], rest, value);
    return out;
  }
  const o = v as Record<string, unknown>;
  return { ...o, [head]: replaceAt(o[head as string], rest, value) };
}

