import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runPreflight, type KillTest, type PreflightResult } from '../compliance/index.ts';
import { measureClock, type ClockMeasurement } from '../ops/index.ts';
import { openAuditLog } from '../security/index.ts';
import type { RunConfig } from '../runtime/index.ts';

export interface PreflightOptions {
  /** Folder of the backups and their `.verify.json` sidecars (else the config's `backup.to`). */
  readonly backups?: string;
  /** Journals whose audit trail may hold the kill-switch drill (besides the config's own journal). */
  readonly killTestJournals?: readonly string[];
  /** For tests: the clock measurement to use instead of asking the time daemons. */
  readonly clock?: ClockMeasurement;
}

/**
 * Gather what the checklist looks at, for `keel preflight` and `keel live`: the config's risk limits, the
 * audit trails' `kill` records, the newest backup verification, the time daemon's word, the alert channels.
 * `cfg` has its secrets resolved (alert URLs come from the vault).
 */
export async function preflightFor(cfg: RunConfig, configPath: string, o: PreflightOptions = {}): Promise<PreflightResult> {
  const here = dirname(resolve(configPath));
  const local = (p: string) => (isAbsolute(p) || /^[a-z]+:\/\//.test(p) ? p : resolve(here, p));
  const journals = [{ journal: local(cfg.journal), schema: cfg.journalSchema }, ...(o.killTestJournals ?? []).map((j) => ({ journal: j, schema: undefined }))];
  const kills: KillTest[] = [];
  const where: string[] = [];
  for (const j of journals) {
    where.push(j.journal.replace(/\/\/[^@/]*@/, '//'));
    let audit;
    try {
      audit = await openAuditLog({ journal: j.journal, schema: j.schema, readOnly: true });
    } catch {
      continue; // no journal yet (a first live start): no drill recorded there
    }
    try {
      for (const r of await audit.read()) if (r.action === 'kill') kills.push({ ts: r.ts, actor: r.actor, ok: r.result.status === 'ok' });
    } finally {
      await audit.close();
    }
  }
  return runPreflight({
    risk: cfg.risk, kills, killsFrom: where.join(', '),
    backupsDir: o.backups ?? configuredBackupDir(configPath, here),
    clock: o.clock ?? await measureClock(cfg.clock.sources),
    clockConfig: cfg.clock,
    channels: cfg.alerts?.channels ?? [],
    config: cfg.preflight, now: Date.now(),
  });
}

/** The backup folder of the config's `backup:` section (`to`, as `keel backup --to`), read leniently. */
function configuredBackupDir(configPath: string, here: string): string | undefined {
  try {
    const raw = parseYaml(readFileSync(configPath, 'utf8')) as { backup?: { to?: unknown; dir?: unknown } } | null;
    const to = raw?.backup?.to ?? raw?.backup?.dir;
    return typeof to === 'string' && to !== '' ? (isAbsolute(to) ? to : resolve(here, to)) : undefined;
  } catch {
    return undefined;
  }
}
