import type { RiskConfig } from '../../risk/index.ts';
import type { ChannelConfig, ClockConfig, ClockMeasurement } from '../../ops/index.ts';
import { alertsCheck, backupsCheck, clockCheck, killSwitchCheck, limitsCheck, type KillTest, type PreflightCheck } from './preflight-checks.ts';
import type { PreflightConfig } from './preflight-config.ts';

export interface PreflightInput {
  readonly risk: RiskConfig | undefined;
  /** `kill` actions from the audit trail(s) looked at, and where they came from (for the line). */
  readonly kills: readonly KillTest[];
  readonly killsFrom: string;
  readonly backupsDir: string | undefined;
  readonly clock: ClockMeasurement;
  readonly clockConfig: ClockConfig;
  readonly channels: readonly ChannelConfig[];
  readonly config: PreflightConfig;
  readonly now: number;
}

export interface PreflightResult {
  readonly pass: boolean;
  readonly checks: readonly PreflightCheck[];
}

/**
 * The pre-go-live checklist: limits set, kill switch tested lately, backups verified lately, clock in sync,
 * alerts reachable. Every check runs (no short cut), so one run lists everything to fix.
 *
 * @example
 * const r = await runPreflight(input);
 * process.stdout.write(formatPreflight(r)); // "PASS  limits set: account.maxOrderNotional, breakers.drawdown\nFAIL  ..."
 */
export async function runPreflight(i: PreflightInput): Promise<PreflightResult> {
  const checks: PreflightCheck[] = [
    limitsCheck(i.risk),
    killSwitchCheck(i.kills, i.config.killSwitchTestedWithinDays, i.now, i.killsFrom),
    backupsCheck(i.backupsDir, i.config.backupVerifiedWithinHours, i.now),
    clockCheck(i.clock, i.clockConfig),
    await alertsCheck(i.channels, i.config.alertConnectTimeoutMs),
  ];
  return { pass: checks.every((c) => c.pass), checks };
}

/** One `PASS  name: detail` / `FAIL  name: detail` line per check, then the verdict. */
export function formatPreflight(r: PreflightResult): string {
  const lines = r.checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  const failed = r.checks.filter((c) => !c.pass).length;
  lines.push(r.pass ? 'preflight passed' : `preflight FAILED: ${failed} of ${r.checks.length} check${r.checks.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
