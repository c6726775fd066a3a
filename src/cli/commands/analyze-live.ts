import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KeelError, moneyToNumber, parseMoney } from '../../model/index.ts';
import { channelFrom } from '../../ops/index.ts';
import { loadConfigWithSecrets } from '../vault-args.ts';
import { loadStrategy, parseParamString, resolveParams, strategyVersion } from '../../strategy/index.ts';
import { parseSizing } from '../../backtest/index.ts';
import { loadRunConfig } from '../../runtime/index.ts';
import { percentFee } from '../../venues/index.ts';
import { postTradeHtml, postTradeReport, readSession, replayBacktest } from '../../post-trade/index.ts';
import { versionIdOf } from '../../lifecycle/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { openJournalArg } from '../journal-arg.ts';

export const ANALYZE_LIVE_HELP = `keel analyze-live --journal FILE|postgres://... --backtest-config keel.yaml [--out DIR] (docs/post-trade.md)

  Replays the market data the engine recorded in the journal through a backtest of the same strategy version
  and parameters (strategy, sizing, fees and risk from the run config the session ran with), matches the
  orders trade by trade (signals missed or extra, fill price vs the backtest's in bps, fill delay, partial
  and missed fills, fees), explains the PnL gap as a waterfall (backtest PnL -> execution slippage -> fees
  -> missed trades -> latency -> session PnL) and measures each order's transaction costs (arrival price,
  implementation shortfall, VWAP over its life). Works on a paper or a live journal alike.
  Writes DIR/post-trade.html (charts) and DIR/post-trade.json (default DIR: analysis next to the journal).
  --journal-schema S     PostgreSQL schema of the journal
  --label NAME           what to call the session (default: paper or live, as the engine ran)
  --alert-gap-pct P      the scheduled comparison (cron, a systemd timer: daily): when the session's PnL is
                         more than P% of the starting cash off the backtest's, send a warning with the
                         waterfall through the config's alerts.channels and exit 1
  Refuses (VERSION_MISMATCH) when the config's strategy is not the version the journal recorded.
  (secret:NAME values in the config come from the vault: --vault FILE, --passphrase-file FILE)
`;

/** `keel analyze-live --journal J --backtest-config keel.yaml`. */
export async function analyzeLiveCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, {
    journal: { type: 'string' }, 'journal-schema': { type: 'string' }, 'backtest-config': { type: 'string' }, config: { type: 'string' },
    out: { type: 'string' }, label: { type: 'string' }, 'alert-gap-pct': { type: 'string' },
    vault: { type: 'string' }, 'passphrase-file': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } as const, 'analyze-live');
  if (v.help) { process.stdout.write(ANALYZE_LIVE_HELP); return 0; }
  const journalArg = required(v.journal, '--journal', 'the session\'s journal: a SQLite file or postgres://HOST:PORT/DB');
  const configPath = required(v['backtest-config'] ?? v.config, '--backtest-config', 'the run config the session ran with (strategy, sizing, fees, risk)');
  const alertGapPct = numberFlag(v['alert-gap-pct'], '--alert-gap-pct', { min: 0 });
  // Secrets (alert webhooks) are resolved only when an alert may have to go out.
  const cfg = alertGapPct === undefined ? loadRunConfig(configPath) : (await loadConfigWithSecrets(configPath, { vault: v.vault, passphraseFile: v['passphrase-file'] })).config;
  const here = dirname(resolve(configPath));
  const strategyRef = cfg.strategy.name.includes('/') || /\.[jt]s$/.test(cfg.strategy.name) ? (isAbsolute(cfg.strategy.name) ? cfg.strategy.name : resolve(here, cfg.strategy.name)) : cfg.strategy.name;
  const loaded = await loadStrategy(strategyRef);
  const params = resolveParams(loaded.cls.params, parseParamString(Object.entries(cfg.strategy.params).map(([k, x]) => `${k}=${String(x)}`).join(',')), loaded.name);
  // The journal's version column holds the compact id of the strategy's identity (lifecycle/identity.ts);
  // journals written before identities hold the long form (code hash + parameters).
  const versionId = versionIdOf(loaded.codeHash, params);
  const legacy = strategyVersion(loaded, params);

  const journal = await openJournalArg(journalArg, { schema: v['journal-schema'], mustExist: true, readOnly: true });
  let session;
  try {
    session = await readSession(journal, v.label);
  } finally {
    await journal.close();
  }
  const version = session.strategyVersion === legacy ? legacy : versionId;
  if (session.strategyVersion !== undefined && session.strategyVersion !== versionId && session.strategyVersion !== legacy) {
    throw new KeelError('VERSION_MISMATCH', `is strategy version ${versionId} (${legacy}), but the journal's orders came from ${session.strategyVersion}: a backtest of another version explains nothing`, {
      field: `${configPath}: strategy`, hint: 'point --backtest-config at the config the session ran with',
    });
  }
  process.stderr.write(`replaying ${session.market.length} recorded market events through a backtest of ${session.strategyId} ${version}\n`);
  const backtest = replayBacktest(session, {
    strategyClass: loaded.cls, params, sizing: parseSizing(cfg.sizing), risk: cfg.risk,
    fees: cfg.commissionPct === undefined ? undefined : percentFee(cfg.commissionPct),
  });
  const { report } = postTradeReport(session, backtest, { journal: journal.location, benchmarkVersion: version });
  const out = v.out ?? join(dirname(resolve(journalArg.startsWith('postgres') ? '.' : journalArg)), 'analysis');
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'post-trade.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'post-trade.html'), postTradeHtml(report));
  } catch (err) {
    throw new KeelError('WRITE_FAILED', `cannot be written: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: '--out', value: out });
  }
  const s = report.summary;
  const width = Math.max(...report.waterfall.map((w) => w.step.length));
  process.stdout.write([
    `${report.sessionLabel} vs ${report.benchmarkLabel}, ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)}: ${s.matched} trades matched, ${s.missedSignals} missed signals, ${s.extra} extra, ${s.partialFills} partial fills, ${s.missedFills} missed fills`,
    `mean slippage ${s.meanSlippageBps ?? '—'} bps, mean extra fill delay ${s.meanExtraDelayMs === null ? '—' : `${(s.meanExtraDelayMs / 3_600_000).toFixed(1)} h`} (market time)`,
    ...report.waterfall.map((w) => `  ${w.step.padEnd(width)}  ${w.kind === 'change' && !w.amount.startsWith('-') ? '+' : ''}${w.amount} ${report.currency}`),
    `report: ${join(out, 'post-trade.html')} (and post-trade.json)`,
    '',
  ].join('\n'));
  if (alertGapPct === undefined) return 0;
  const gap = moneyToNumber(parseMoney(report.pnl.gap, 'gap'));
  const gapPct = (100 * Math.abs(gap)) / moneyToNumber(session.initialCash);
  if (gapPct <= alertGapPct) {
    process.stdout.write(`gap ${gapPct.toFixed(4)}% of the starting cash: within ${alertGapPct}%\n`);
    return 0;
  }
  const channels = cfg.alerts?.channels ?? [];
  const alert = {
    key: `post-trade-gap:${report.journal}`, severity: 'warning' as const, ts: Date.now(), state: 'firing' as const,
    title: `${report.sessionLabel} PnL is ${gapPct.toFixed(2)}% of starting cash off the backtest (threshold ${alertGapPct}%)`,
    detail: report.waterfall.map((w) => `${w.step}: ${w.amount} ${report.currency}`).join('\n'),
  };
  const failed: string[] = [];
  for (const c of channels) {
    try { await channelFrom(c).send(alert); } catch (e) { failed.push(`${c.name}: ${(e as Error).message}`); }
  }
  process.stdout.write(`gap ${gapPct.toFixed(4)}% of the starting cash is past ${alertGapPct}%: alert sent to ${channels.length - failed.length} of ${channels.length} channel(s)\n`);
  for (const f of failed) process.stderr.write(`keel: alert not delivered to ${f}\n`);
  return 1;
}
