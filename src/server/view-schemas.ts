import type {
  ActionResult, AlertView, EngineStatus, HaStatus, StandbyView, EquityPoint, FillView, OrderView, PnlView, PositionView, RiskView, StrategyView,
} from '../runtime/index.ts';

/**
 * JSON schemas of the engine's views (runtime/engine-handle.ts), registered once as shared schemas so that the
 * OpenAPI document names them (`#/components/schemas/PositionView`) for the dashboard and any other client.
 *
 * Fastify serializes every response through these schemas, and a property a schema does not list is
 * silently dropped; so each `properties` object is checked against its TypeScript view with `satisfies`:
 * a field added to the view and forgotten here is a compile error, not a field missing in production.
 *
 * Timestamps are epoch milliseconds. Exact amounts (cash, realised PnL, quantities, order prices) are decimal
 * strings; marks, equity and unrealised PnL are numbers (floats are fine there).
 */

type Props<T> = Record<keyof T, object>;

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const decimal = { type: 'string', description: 'exact decimal' } as const;
const epochMs = { type: 'number', description: 'epoch milliseconds' } as const;
const nullable = (type: 'number' | 'string', description?: string) => ({ type: [type, 'null'], ...(description ? { description } : {}) });
const tradingState = { type: 'string', enum: ['ACTIVE', 'REDUCING', 'HALTED'] } as const;
const side = { type: 'string', enum: ['buy', 'sell'] } as const;

const strategyProps = {
  id: str,
  version: { type: 'string', description: 'code hash and parameters, as journaled with its events' },
  params: { type: 'object', additionalProperties: true },
  paused: bool,
} satisfies Props<StrategyView>;

const statusProps = {
  account: str,
  mode: { type: 'string', enum: ['paper', 'live', 'backtest'] },
  venue: str,
  venueConnected: bool,
  tradingState,
  stateReason: str,
  startedAt: { ...epochMs, description: 'wall-clock start of the process (epoch ms)' },
  lastEventTs: { ...epochMs, description: "engine time of the last event (epoch ms, the venue's clock)" },
  marketEvents: int,
  lastMarketEventAt: { ...epochMs, description: 'wall time of the last market event (epoch ms); absent before the first' },
  strategies: { type: 'array', items: { $ref: 'StrategyView#' } },
  journal: {
    type: 'object',
    required: ['kind', 'location', 'pendingAppends', 'healthy'],
    properties: { kind: { type: 'string', enum: ['sqlite', 'postgres'] }, location: str, pendingAppends: int, healthy: bool },
  },
  ha: {
    type: 'object',
    description: 'active/standby: this node, its fencing epoch and the standbys it sees; absent for a single engine',
    required: ['node', 'role', 'epoch', 'leaseMs', 'renewedAgoMs', 'lastSeq', 'standbys'],
    properties: {
      node: str, role: { type: 'string', enum: ['active', 'stepped-down'] }, epoch: int, leaseMs: int, renewedAgoMs: nullable('number'), lastSeq: int,
      standbys: {
        type: 'array',
        items: {
          type: 'object', required: ['node', 'seenSeq', 'lagEvents', 'heartbeatAgoMs', 'api'],
          properties: { node: str, seenSeq: int, lagEvents: int, heartbeatAgoMs: int, api: nullable('string') } satisfies Props<StandbyView>,
        },
      },
    } satisfies Props<HaStatus>,
  },
} satisfies Props<EngineStatus>;

const positionProps = {
  instrument: str,
  quantity: { type: 'string', description: "signed quantity in the instrument's units, exact decimal" },
  averagePrice: nullable('number'),
  lastPrice: nullable('number'),
  marketValue: num,
  unrealizedPnl: num,
  realizedPnl: { type: 'string', description: 'exact decimal in the account currency' },
} satisfies Props<PositionView>;

const orderProps = {
  clientOrderId: str,
  strategyId: str,
  instrument: str,
  side,
  type: str,
  quantity: decimal,
  filledQuantity: decimal,
  limitPrice: nullable('string', 'exact decimal'),
  stopPrice: nullable('string', 'exact decimal'),
  status: str,
  reason: nullable('string'),
  createdAt: epochMs,
} satisfies Props<OrderView>;

const fillProps = {
  tradeId: str,
  clientOrderId: str,
  strategyId: str,
  instrument: str,
  side,
  quantity: decimal,
  price: decimal,
  fee: decimal,
  decisionPrice: nullable('string', 'the price the strategy saw when it decided'),
  slippage: nullable('number', 'against the decision price, in the account currency (positive = worse)'),
  ts: epochMs,
} satisfies Props<FillView>;

const pnlProps = {
  currency: str,
  cash: decimal,
  equity: num,
  realized: decimal,
  unrealized: num,
  daily: { type: 'number', description: 'since the start of the trading day' },
  commissions: decimal,
  peakEquity: num,
  drawdown: num,
  drawdownPct: num,
} satisfies Props<PnlView>;

const equityPointProps = { ts: epochMs, equity: num, drawdownPct: num } satisfies Props<EquityPoint>;

const riskProps = {
  state: tradingState,
  reason: str,
  limits: { type: 'string', description: 'the risk section as configured (YAML); absent when no limits are set' },
  breakers: {
    type: 'array',
    items: { type: 'object', required: ['name', 'action', 'tripped', 'detail', 'usedPct'], properties: { name: str, action: str, tripped: bool, detail: str, usedPct: { type: ['number', 'null'], description: 'percent of the limit used now (daily-loss, drawdown); null for other breakers' } } },
  },
  denials: { type: 'array', items: { type: 'object', required: ['check', 'count'], properties: { check: str, count: int } } },
} satisfies Props<RiskView>;

const alertProps = {
  id: str,
  ts: epochMs,
  severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
  source: str,
  title: str,
  detail: str,
  resolved: bool,
} satisfies Props<AlertView>;

const actionResultProps = {
  ok: bool,
  message: { type: 'string', description: 'what happened, or why the engine refused' },
} satisfies Props<ActionResult>;

/** Every property is required except those an engine may leave out (`undefined` in the view). */
function view<T>(id: string, description: string, properties: Props<T>, optional: ReadonlyArray<keyof T> = []) {
  const required = Object.keys(properties).filter((k) => !optional.includes(k as keyof T));
  return { $id: id, title: id, description, type: 'object', required, properties };
}

/** The shared schemas, in the order they are registered (a schema's `$ref`s must be registered first). */
export const VIEW_SCHEMAS = [
  view<StrategyView>('StrategyView', 'A strategy running in the engine.', strategyProps),
  view<EngineStatus>('EngineStatus', 'The engine at a glance: account, venue, trading state, strategies, journal.', statusProps, ['lastMarketEventAt', 'ha']),
  view<PositionView>('PositionView', 'A position in one instrument.', positionProps),
  view<OrderView>('OrderView', 'An order, as the OMS knows it.', orderProps),
  view<FillView>('FillView', 'A fill (execution), with slippage against the decision price.', fillProps),
  view<PnlView>('PnlView', 'Cash, equity, PnL and drawdown of the account.', pnlProps),
  view<EquityPoint>('EquityPoint', 'One sample of the equity curve.', equityPointProps),
  view<RiskView>('RiskView', 'Trading state, limits, circuit breakers and pre-trade denials.', riskProps, ['limits']),
  view<AlertView>('AlertView', 'An alert raised by the engine.', alertProps),
  view<ActionResult>('ActionResult', 'The answer to an operator action: ok, or refused with the reason (HTTP 409).', actionResultProps),
  {
    $id: 'ErrorReply', title: 'ErrorReply', description: 'A request the API could not serve, in one line.',
    type: 'object', required: ['error'],
    properties: { error: str, missing: { type: 'string', description: 'what the request lacks (401/403): authentication, totp, csrf, or the permission it needs' } },
  },
  {
    $id: 'Readiness', title: 'Readiness', description: 'Whether the engine can trade safely now, and if not, why.',
    type: 'object', required: ['ready', 'reasons'], properties: { ready: bool, reasons: { type: 'array', items: str } },
  },
] as const;

/** A reference to a shared schema, e.g. `ref('PositionView')`. */
export function ref(id: string): { $ref: string } {
  return { $ref: `${id}#` };
}

/** An array of a shared schema. */
export function listOf(id: string): { type: 'array'; items: { $ref: string } } {
  return { type: 'array', items: ref(id) };
}
