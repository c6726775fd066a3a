import pino from 'pino';
import { formatPrice, lotsToQuantity, type Instrument, type Secret } from '../model/index.ts';
import { createLogger, orderLogger, type Logger } from '../ops/index.ts';
import type { EngineHandle, PaperRunSummary, PaperStart, ReconciliationReport } from '../runtime/index.ts';

/**
 * What `keel paper` and `keel live` print while they run, the same for `--config` and `--venue` runs: the
 * start-up reconciliation report on stdout as soon as it is made (before the first order), every order, fill
 * and risk event as a log line on stderr while trading, and the end-of-session report on stdout at the stop.
 */

/**
 * The session's structured log on stderr: readable lines on a terminal, one JSON object per line when piped
 * (docs/logs.md). Secrets from the environment are scrubbed by value as well as by key.
 */
export function sessionLogger(quiet: boolean | undefined, vaultSecrets: readonly Secret[] = []): Logger {
  return createLogger({
    level: quiet ? 'warn' : process.env.KEEL_DEBUG === '1' ? 'debug' : 'info', destination: pino.destination({ dest: 2, sync: true }),
    pretty: process.stderr.isTTY === true,
    // `*_FILE` variables name a file, not a secret (and a short path would be refused by the scrubber).
    secrets: [
      ...Object.entries(process.env).filter(([k]) => /SECRET|PASSWORD|TOKEN|PASSPHRASE/.test(k) && !k.endsWith('_FILE')).map(([, v]) => v),
      ...vaultSecrets.map((s) => s.reveal()),
    ],
  });
}

/** The start-up report: fresh or restarted, then the reconciliation, printed before trading begins. */
export function startReport(reconciliation: ReconciliationReport, start: PaperStart, quiet: boolean | undefined): string {
  const from = start.fromSnapshot === undefined ? '' : ` after the snapshot at journal seq ${start.fromSnapshot}`;
  const head = quiet ? [] : [start.restarted ? `restarted: replayed ${start.replayedEvents} journaled order events${from}` : 'fresh journal'];
  return [...head, ...reconciliation.lines, ''].join('\n');
}

/** The end-of-session report: the final reconciliation and the trading state the session ended in. */
export function endReport(summary: PaperRunSummary): string {
  return [...summary.final.lines, `trading state: ${summary.tradingState}`, ''].join('\n');
}

/** Log every order and risk event of the engine as it happens, one line each, with the order's correlation id. */
export function logEngineEvents(handle: EngineHandle, inst: Instrument, log: Logger): () => void {
  return handle.subscribe((e) => {
    if (e.kind === 'risk') log.warn({ event: e.type }, describeEvent(inst, e.type, e.payload));
    if (e.kind !== 'order') return;
    // One correlation id per order, from its intent to its fills (docs/logs.md).
    const p = e.payload as { clientOrderId?: string; order?: { clientOrderId: string } };
    orderLogger(log, p.clientOrderId ?? p.order?.clientOrderId ?? '?').info({ event: e.type }, describeEvent(inst, e.type, e.payload));
  });
}

/** One line per order or risk event, in a trader's words. */
function describeEvent(inst: Instrument, type: string, payload: unknown): string {
  const qty = (lots: number) => String(lotsToQuantity(inst, lots));
  const e = payload as { clientOrderId?: string; order?: { clientOrderId: string; side: string; quantity: number; type: string }; fill?: { side: string; quantity: number; price: number; instrumentId: string }; reason?: string; check?: string; to?: string };
  switch (type) {
    case 'order.submitted': return `order ${e.order!.clientOrderId}: ${e.order!.side} ${qty(e.order!.quantity)} ${inst.id} ${e.order!.type}, sent`;
    case 'order.filled': return `order ${e.clientOrderId}: filled, ${e.fill!.side} ${qty(e.fill!.quantity)} ${e.fill!.instrumentId} at ${formatPrice(inst, e.fill!.price)}`;
    case 'order.denied': return `order ${e.clientOrderId}: denied by ${e.check}: ${e.reason}`;
    case 'risk.state-changed': return `trading state ${e.to}: ${e.reason}`;
    default: {
      // order.accepted, order.canceled, order.rejected, …: "order ID: rejected: reason".
      const what = type.startsWith('order.') && e.clientOrderId ? `order ${e.clientOrderId}: ${type.slice(6)}` : `${type}${e.clientOrderId ? ` ${e.clientOrderId}` : ''}`;
      return `${what}${e.reason ? `: ${e.reason}` : ''}`;
    }
  }
}
