import { KeelError } from '../../model/index.ts';

/** What a secret's (and a user's) name may be: letters, digits, `_`, `.`, `-`; 1 to 128 characters. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * `name` if it is a valid secret name, else a KeelError naming the field and the value. The names are the
 * same in a run config's `secret:NAME` and on the command line, so a shell, a YAML file and a log line never
 * need quoting for them.
 *
 * @example checkSecretName('ALPACA_SECRET') // 'ALPACA_SECRET'
 * @example checkSecretName('my key') // throws: secret name = "my key": must be letters, digits, _ . - (1 to 128)
 */
export function checkSecretName(name: string, field = 'secret name'): string {
  if (!NAME_PATTERN.test(name)) {
    throw new KeelError('BAD_SECRET_NAME', 'must be letters, digits, _ . - (1 to 128 characters)', { field, value: name, hint: 'e.g. ALPACA_SECRET or slack.webhook' });
  }
  return name;
}
