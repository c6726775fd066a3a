import { KeelError } from '../../model/index.ts';
import { NAME_PATTERN } from './secret-name.ts';

/** The prefix of a config value that names a vault secret: `secret: secret:ALPACA_SECRET`. */
export const SECRET_REF_PREFIX = 'secret:';

/**
 * The secret's name if `value` is a `secret:NAME` reference, else undefined. A value that starts with
 * `secret:` but names no valid secret is a KeelError naming `field` (a typo must not be sent as a password).
 *
 * @example secretRefName('secret:ALPACA_SECRET', 'keel.yaml: venue.secret') // 'ALPACA_SECRET'
 * @example secretRefName('PKXYZ', 'keel.yaml: venue.keyId') // undefined
 */
export function secretRefName(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(SECRET_REF_PREFIX)) return undefined;
  const name = value.slice(SECRET_REF_PREFIX.length);
  if (!NAME_PATTERN.test(name)) {
    throw new KeelError('BAD_SECRET_REF', 'must be secret:NAME with a name of letters, digits, _ . - (1 to 128 characters)', { field, value, hint: 'keel secrets list shows the names in the vault' });
  }
  return name;
}
