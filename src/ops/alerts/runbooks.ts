/**
 * Where the operator reads what to do about an alert (docs/runbooks/alerts.md, one section per alert the
 * engine can raise). Every alert's detail ends with its runbook line, so a page on a phone carries the link.
 */
const RUNBOOK = 'docs/runbooks/alerts.md';

/** Alert sources and threshold rules → their section in the runbook. */
const SECTIONS: Readonly<Record<string, string>> = {
  'kill-switch': 'kill-switch', breaker: 'breaker-trip', reconciliation: 'reconciliation-mismatch', venue: 'venue-down',
  'venue-disconnected': 'venue-down', failover: 'failover', standby_lag: 'standby-lag', backup: 'backup-failed', clock_drift: 'clock-drift',
  audit: 'audit-record-not-written', journal: 'journal-append-failed',
  drawdown: 'threshold-rules', 'daily-loss': 'threshold-rules', 'pnl-deviation': 'threshold-rules', 'stale-data': 'threshold-rules',
  'reject-rate': 'threshold-rules', 'denial-rate': 'threshold-rules', 'ack-latency': 'threshold-rules', 'market-to-order-latency': 'threshold-rules',
  memory: 'threshold-rules', 'event-loop-lag': 'threshold-rules',
};

/**
 * The runbook link of an alert source or rule name (`failover` → `docs/runbooks/alerts.md#failover`); the
 * runbook's index for anything else.
 *
 * @example runbookFor('breaker') // 'docs/runbooks/alerts.md#breaker-trip'
 */
export function runbookFor(source: string): string {
  const section = SECTIONS[source];
  return section === undefined ? RUNBOOK : `${RUNBOOK}#${section}`;
}

/** `detail` with its runbook line appended (once). */
export function withRunbook(source: string, detail: string): string {
  const line = `runbook: ${runbookFor(source)}`;
  return detail.includes('runbook: ') ? detail : detail === '' ? line : `${detail}\n${line}`;
}

/** The runbook section of an alert source or rule (the key of its escalation policy), undefined when it has none of its own. */
export function runbookSection(source: string): string | undefined {
  return SECTIONS[source];
}

/** Every section the runbook must have (test/ops/runbooks.test.ts checks docs/runbooks/alerts.md). */
export const RUNBOOK_SECTIONS: readonly string[] = [...new Set(Object.values(SECTIONS))];
