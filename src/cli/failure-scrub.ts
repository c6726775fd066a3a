import type { Secret } from '../model/index.ts';
import { MIN_SECRET_LENGTH, secretScrubber } from '../ops/index.ts';

/**
 * The last line a failing `keel` prints (and, with KEEL_DEBUG=1, the stack) goes to stderr directly, not
 * through the logger, so the logger's scrubber never sees it. Whatever an error's message quotes, the secrets
 * this process holds are replaced there too: the values it resolved from the vault for `secret:NAME`, and the
 * environment's credentials (the variables the run's logger scrubs: *SECRET*, *PASSWORD*, *TOKEN*,
 * *PASSPHRASE*, not their *_FILE forms, which name files).
 */

const resolved: Secret[] = [];

/** Remember secrets taken out of the vault, for `scrubFailure`. */
export function rememberSecrets(secrets: readonly Secret[]): void {
  resolved.push(...secrets);
}

/** The environment variables whose values are credentials. */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return Object.entries(env).filter(([k, v]) => /SECRET|PASSWORD|TOKEN|PASSPHRASE/.test(k) && !k.endsWith('_FILE') && v !== undefined && v !== '').map(([, v]) => v!);
}

/**
 * `text` with every known secret replaced by `[redacted]`. Values too short to replace safely are left (the
 * vault refuses to store them, and a log scrubber refuses them too).
 *
 * @example process.stderr.write(scrubFailure(`keel: ${err.message}\n`));
 */
export function scrubFailure(text: string): string {
  const values = [...resolved.map((s) => s.reveal()), ...environmentSecrets()].filter((v) => v.length >= MIN_SECRET_LENGTH);
  return values.length === 0 ? text : secretScrubber(values)(text);
}
