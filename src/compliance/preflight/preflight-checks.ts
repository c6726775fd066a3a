import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { RiskConfig } from '../../risk/index.ts';
import { clockVerdict, type ClockConfig, type ClockMeasurement, type ChannelConfig } from '../../ops/index.ts';
import { revealText } from '../../model/index.ts';

/** One line of the checklist. */
export interface PreflightCheck {
  readonly name: 'limits set' | 'kill switch tested' | 'backups verified' | 'clock in sync' | 'alerts reachable';
  readonly pass: boolean;
  readonly detail: string;
}

const DAY_MS = 86_400_000;

/**
 * Risk limits: an order-size limit (notional or quantity, account, strategy or instrument) and a loss breaker
 * (daily loss or drawdown). Either alone leaves a way to lose the account in one order or one bad day.
 *
 * @example limitsCheck(undefined).pass // false
 */
export function limitsCheck(risk: RiskConfig | undefined): PreflightCheck {
  const name = 'limits set';
  if (risk === undefined) return { name, pass: false, detail: 'no risk: section (docs/risk-config.md)' };
  const size: string[] = [];
  if (risk.account.maxOrderNotional !== undefined) size.push('account.maxOrderNotional');
  for (const [id, s] of Object.entries(risk.strategies)) if (s.maxOrderNotional !== undefined) size.push(`strategies.${id}.maxOrderNotional`);
  for (const [id, i] of Object.entries(risk.instruments)) {
    if (i.maxOrderNotional !== undefined) size.push(`instruments.${id}.maxOrderNotional`);
    if (i.maxOrderQuantity !== undefined) size.push(`instruments.${id}.maxOrderQuantity`);
  }
  const loss = [risk.breakers.dailyLoss ? 'breakers.dailyLoss' : '', risk.breakers.drawdown ? 'breakers.drawdown' : ''].filter(Boolean);
  const missing = [size.length === 0 ? 'an order-size limit (maxOrderNotional or maxOrderQuantity)' : '', loss.length === 0 ? 'a loss breaker (breakers.dailyLoss or breakers.drawdown)' : ''].filter(Boolean);
  if (missing.length > 0) return { name, pass: false, detail: `missing ${missing.join(' and ')}${size.length + loss.length ? `; set: ${[...size, ...loss].join(', ')}` : ''}` };
  return { name, pass: true, detail: [...size, ...loss].join(', ') };
}

/** A `kill` the audit trail recorded (wall time), as `AuditRecord` has it. */
export interface KillTest {
  readonly ts: number;
  readonly actor: string;
  readonly ok: boolean;
}

/**
 * The kill switch was pulled, and worked, within the last `withinDays` days (the audit trail's wall-clock
 * record of the `kill` action: a drill on a paper engine, or on the live one before it trades).
 *
 * @example killSwitchCheck([{ ts: Date.now() - 3600e3, actor: 'token:ops', ok: true }], 30, Date.now()).pass // true
 */
export function killSwitchCheck(kills: readonly KillTest[], withinDays: number, now: number, where: string): PreflightCheck {
  const name = 'kill switch tested';
  const since = now - withinDays * DAY_MS;
  const last = kills.filter((k) => k.ok).sort((a, b) => b.ts - a.ts)[0];
  if (last === undefined) return { name, pass: false, detail: `no kill switch use in the audit trail of ${where}; pull it once on a paper engine (POST /api/kill, keel kill)` };
  const age = `${new Date(last.ts).toISOString()} by ${last.actor}`;
  if (last.ts < since) return { name, pass: false, detail: `last tested ${age}, more than ${withinDays} days ago` };
  return { name, pass: true, detail: `last tested ${age} (within ${withinDays} days)` };
}

/**
 * The newest backup verification (`X.verify.json` beside each backup X, written by the backup verifier:
 * `{ ok, verifiedAt, backup, fingerprint, error? }`) says ok and is recent enough.
 *
 * @example backupsCheck('backups', 26, Date.now()).detail // 'backups/journal-…sqlite verified 2025-01-02T03:04:05Z, fingerprint 3f…'
 */
export function backupsCheck(dir: string | undefined, withinHours: number, now: number): PreflightCheck {
  const name = 'backups verified';
  if (dir === undefined) return { name, pass: false, detail: 'no backup folder: pass --backups DIR or set backup.to in the config' };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.verify.json'));
  } catch (err) {
    return { name, pass: false, detail: `${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  type Sidecar = { ok?: unknown; verifiedAt?: unknown; backup?: unknown; fingerprint?: unknown; error?: unknown };
  const sidecars: Array<{ file: string; at: number; s: Sidecar }> = [];
  for (const file of names) {
    let s: Sidecar;
    try { s = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Sidecar; } catch { continue; }
    const at = typeof s.verifiedAt === 'string' ? Date.parse(s.verifiedAt) : Number.NaN;
    sidecars.push({ file, at: Number.isFinite(at) ? at : statSync(join(dir, file)).mtimeMs, s });
  }
  const newest = sidecars.sort((a, b) => b.at - a.at)[0];
  if (newest === undefined) return { name, pass: false, detail: `no backup verification (*.verify.json) in ${dir}` };
  const backup = typeof newest.s.backup === 'string' ? newest.s.backup : newest.file.replace(/\.verify\.json$/, '');
  const when = new Date(newest.at).toISOString();
  if (newest.s.ok !== true) return { name, pass: false, detail: `the newest verification, of ${backup} at ${when}, failed: ${typeof newest.s.error === 'string' ? newest.s.error : 'ok is not true'}` };
  if (newest.at < now - withinHours * 3_600_000) return { name, pass: false, detail: `the newest verified backup, ${backup}, was verified ${when}: more than ${withinHours} h ago` };
  const fp = typeof newest.s.fingerprint === 'string' ? `, fingerprint ${newest.s.fingerprint.slice(0, 12)}` : '';
  return { name, pass: true, detail: `${backup} verified ${when}${fp}` };
}

/** The local clock against the `clock:` limits (a `refuse` verdict fails; past the alert threshold still passes, with the alert's words). */
export function clockCheck(m: ClockMeasurement, config: ClockConfig): PreflightCheck {
  const v = clockVerdict(m, config);
  return { name: 'clock in sync', pass: v.level !== 'refuse', detail: v.line };
}

/** Host and port an alert channel delivers to (never the URL's path or query: Slack's hold the secret). */
export function channelEndpoint(c: ChannelConfig): { host: string; port: number } {
  const fromUrl = (u: string) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  };
  switch (c.type) {
    case 'webhook': case 'slack': return fromUrl(revealText(c.url));
    case 'pagerduty': return fromUrl(c.url === undefined ? 'https://events.pagerduty.com' : revealText(c.url));
    case 'telegram': return fromUrl(c.apiUrl ?? 'https://api.telegram.org');
    case 'email': return { host: c.host, port: c.port };
  }
}

/**
 * Every alert channel's host accepts a TCP connection (nothing is sent: `keel alert test` sends a message).
 * Without any channel nobody would hear a kill switch or a breaker.
 */
export async function alertsCheck(channels: readonly ChannelConfig[], timeoutMs: number): Promise<PreflightCheck> {
  const name = 'alerts reachable';
  if (channels.length === 0) return { name, pass: false, detail: 'no alerts.channels configured: nobody would hear a breaker or the kill switch' };
  const results = await Promise.all(channels.map(async (c) => {
    let ep;
    try { ep = channelEndpoint(c); } catch { return { ok: false, text: `${c.name} (${c.type}): not a URL` }; }
    const err = await tcpReachable(ep.host, ep.port, timeoutMs);
    return { ok: err === undefined, text: `${c.name} (${c.type}) ${ep.host}:${ep.port}${err ? ` unreachable: ${err}` : ''}` };
  }));
  const bad = results.filter((r) => !r.ok);
  return { name, pass: bad.length === 0, detail: bad.length ? bad.map((r) => r.text).join('; ') : results.map((r) => r.text).join(', ') };
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (err: string | undefined) => { socket.destroy(); resolve(err); };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}
