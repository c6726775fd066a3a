import { userInfo } from 'node:os';
import { formatPreflight } from '../compliance/index.ts';
import { KeelError } from '../model/index.ts';
import type { RunConfig } from '../runtime/index.ts';
import { openJournalArg } from './journal-arg.ts';
import { preflightFor, type PreflightOptions } from './preflight-run.ts';

export interface LivePreflight extends PreflightOptions {
  /** `--override-preflight REASON`: start although checks failed; journaled with the failures and who. */
  readonly override?: string;
}

/**
 * `keel live`'s gate, before anything connects: the preflight checklist must pass, or be overridden with a
 * reason, which is journaled (`preflight.overridden`: the reason, the failed checks, the OS user) before the
 * engine may start. A pass is journaled too (`preflight.passed`). The clock's hard limit cannot be overridden:
 * RTS 25 timestamps are only as good as the clock.
 */
export async function requirePreflight(cfg: RunConfig, configPath: string, journalPath: string, o: LivePreflight): Promise<void> {
  const result = await preflightFor(cfg, configPath, o);
  process.stdout.write(formatPreflight(result));
  const clock = result.checks.find((c) => c.name === 'clock in sync');
  if (clock && !clock.pass) {
    throw new KeelError('CLOCK_DRIFT', `refuses live trading: ${clock.detail}`, { field: `${cfg.source}: clock.hardLimitMs`, value: cfg.clock.hardLimitMs, hint: 'fix the time daemon (chronyc tracking); --override-preflight does not cover the clock' });
  }
  const failed = result.checks.filter((c) => !c.pass);
  if (failed.length > 0 && (o.override === undefined || o.override.trim() === '')) {
    throw new KeelError('PREFLIGHT_FAILED', `refuses live trading: ${failed.map((c) => c.name).join(', ')} failed (above)`, {
      field: 'keel preflight', hint: o.override !== undefined ? '--override-preflight needs a reason' : 'fix them, or start with --override-preflight "REASON" (journaled)',
    });
  }
  const journal = await openJournalArg(journalPath, { schema: cfg.journalSchema });
  try {
    const by = `cli:${osUser()}`;
    const checks = result.checks.map((c) => ({ name: c.name, pass: c.pass, detail: c.detail }));
    await journal.append([failed.length > 0
      ? { ts: Date.now(), stream: { account: cfg.account }, type: 'preflight.overridden', payload: { by, reason: o.override!.trim(), failed: failed.map((c) => c.name), checks } }
      : { ts: Date.now(), stream: { account: cfg.account }, type: 'preflight.passed', payload: { by, checks } }]);
  } finally {
    await journal.close();
  }
  if (failed.length > 0) process.stdout.write(`preflight overridden by ${osUser()}: ${o.override!.trim()} (journaled)\n`);
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
