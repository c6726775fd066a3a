import type { Logger } from 'pino';

/** The field that ties together every line about one order: its client order id. */
export const CORRELATION_ID = 'correlationId';

/**
 * A child logger for one order: every line carries `correlationId` = the client order id, so an order can be
 * followed from the strategy's signal through the risk gate, the journal and the venue to its fills with one
 * filter (`correlationId == "sma-1-42"`).
 *
 * @example
 * const olog = orderLogger(log, order.clientOrderId, { strategyId: order.strategyId, instrument: order.instrumentId });
 * olog.info({ side: 'buy', qty: 10 }, 'signal');
 * olog.info({ price: '101.25' }, 'filled');
 */
export function orderLogger(log: Logger, clientOrderId: string, bindings: Readonly<Record<string, unknown>> = {}): Logger {
  return log.child({ ...bindings, [CORRELATION_ID]: clientOrderId });
}
