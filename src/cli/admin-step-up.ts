import { KeelError } from '../model/index.ts';
import { matchTotp, recordTotpUse, type VaultContents } from '../security/index.ts';
import { terminalPrompt } from './prompt.ts';

/**
 * The TOTP step-up of `keel users` changes (issue 13: user changes need MFA from the CLI as from the API): once
 * the vault holds an admin, every change is made as one of them (`--as NAME`) with that admin's current code
 * (`--totp CODE`, or asked for with no echo on a terminal), on top of the vault passphrase. A vault with no
 * admin yet takes changes on the passphrase alone, so the first admin can be created.
 */
export const STEP_UP_FLAGS = { as: { type: 'string' }, totp: { type: 'string' } } as const;

export const STEP_UP_HELP = `  --as ADMIN                once the vault has an admin user: the admin making the change
  --totp CODE               that admin's current authenticator code (asked for on a terminal when left out);
                            each code works once. Without any admin in the vault, neither is needed
`;

/** An accepted step-up: the admin, and the step their code was for (recorded in the vault with the change). */
export interface StepUp {
  readonly admin: string;
  readonly step: number;
}

/**
 * Check the step-up for a change to `contents`; undefined when the vault has no admin yet. Throws a KeelError
 * naming `--as` or `--totp` when it fails (nothing has been changed then).
 */
export async function adminStepUp(contents: VaultContents, v: { as?: string; totp?: string }, now = Date.now()): Promise<StepUp | undefined> {
  const admins = [...contents.users.values()].filter((u) => u.roles.includes('admin')).map((u) => u.name).sort();
  if (admins.length === 0) return undefined;
  const hint = `admins: ${admins.join(', ')}`;
  if (v.as === undefined) throw new KeelError('MFA_REQUIRED', 'is required: user changes are made by an admin with their TOTP code', { field: '--as', hint });
  const admin = contents.users.get(v.as);
  if (admin === undefined || !admin.roles.includes('admin')) throw new KeelError('MFA_REQUIRED', 'is not an admin user in the vault', { field: '--as', value: v.as, hint });
  const code = (v.totp ?? (await ask(v.as)) ?? '').trim();
  if (code === '') throw new KeelError('MFA_REQUIRED', `is required: ${v.as}'s current authenticator code`, { field: '--totp' });
  const step = matchTotp(admin.totpSecret, code, now, { afterStep: admin.lastTotpStep });
  if (step === undefined) throw new KeelError('MFA_FAILED', `is not ${v.as}'s current code, or was already used (each code works once: wait for the next one); nothing was changed`, { field: '--totp' });
  return { admin: v.as, step };
}

/**
 * The vault change with the step-up recorded, refused if another process used the same code meanwhile (the
 * check runs again on the contents being written).
 */
export function withStepUp(stepUp: StepUp | undefined, change: (c: VaultContents) => VaultContents): (c: VaultContents) => VaultContents {
  if (stepUp === undefined) return change;
  return (c) => {
    const used = c.users.get(stepUp.admin)?.lastTotpStep;
    if (used !== undefined && used >= stepUp.step) throw new KeelError('MFA_FAILED', `was used meanwhile by another change; nothing was changed`, { field: '--totp' });
    return recordTotpUse(change(c), stepUp.admin, stepUp.step);
  };
}

async function ask(admin: string): Promise<string | undefined> {
  const prompt = terminalPrompt();
  return prompt === undefined ? undefined : prompt(`TOTP code of ${admin} (from the authenticator app): `);
}
