import { KeelError, notional as valueOf, type Instrument, type MarketEvent, type Money, type OrderEvent, type OrderRequest, type OrderSide, type TradingState } from '../model/index.ts';
import type { Clock, MarketEventHandler } from '../kernel/index.ts';
import { markApproved, type ApprovedOrder } from './approved-order.ts';
import { BreakerBoard } from './breakers/breaker-board.ts';
import { NO_LIMITS, type RiskConfig, type ScopeLimits } from './config.ts';
import { ExposureBook } from './exposure-book.ts';
import { instrumentRules, type InstrumentRules } from './instrument-limits.ts';
import { KillSwitch, type KillRequest, type KillSwitchEvent } from './kill-switch.ts';
import { TradingStateMachine, type RiskEventListener, type TradingStateStore } from './trading-state.ts';
import { valuationTicks, type AccountView, type FeeEstimate, type OrderUnderReview, type PreTradeCheck, type ReplacedOrder } from './checks/review.ts';
import { orderShapeCheck } from './checks/order-shape.ts';
import { instrumentRulesCheck } from './checks/instrument-rules.ts';
import { tradingStateCheck } from './checks/trading-state.ts';
import { reduceOnlyCheck } from './checks/reduce-only.ts';
import { unknownOutcomeCheck } from './checks/unknown-outcome.ts';
import { restrictedListCheck } from './checks/restricted-list.ts';
import { tradingSessionCheck } from './checks/trading-session.ts';
import { priceCollarCheck } from './checks/price-collar.ts';
import { orderSizeCheck } from './checks/order-size.ts';
import { duplicateOrderCheck } from './checks/duplicate-order.ts';
import { openOrdersCheck } from './checks/open-orders.ts';
import { positionLimitCheck } from './checks/position-limit.ts';
import { exposureLimitCheck } from './checks/exposure-limit.ts';
import { shortSaleCheck } from './checks/short-sale.ts';
import { buyingPowerCheck } from './checks/buying-power.ts';
import { messageThrottleCheck } from './checks/message-throttle.ts';
import { fmtQty } from './checks/format.ts';
import { modificationThrottleCheck, type ModificationThrottle } from './checks/modification-throttle.ts';

export type RiskDecision =
  | { readonly approved: true; readonly order: ApprovedOrder }
  | { readonly approved: false; readonly check: string; readonly reason: string };

/** Why the gate is asked: a strategy's order, or the kill switch flattening (instrument rules only). */
export type GatePurpose = 'strategy' | 'flatten';

export interface RiskEngineOptions {
  readonly instruments: readonly Instrument[];
  readonly clock: Clock;
  /** Limits from the run's config; NO_LIMITS when absent. */
  readonly config?: RiskConfig;
  /** Cash and equity, for buying power and the equity breakers (the run's assembly wires the portfolio). */
  readonly account?: AccountView;
  /** Fee estimate for the buying-power check; zero when absent. */
  readonly estimateFee?: FeeEstimate;
}

/** One flatten order the kill switch should send. */
export interface FlattenOrder {
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly lots: number;
}

const noAccount: AccountView = { cash: () => 0n, equity: () => NaN };
const noFee: FeeEstimate = () => 0n;
const NO_SCOPE: ScopeLimits = {};

/** A config part as comparable text (Money is bigint). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * The risk gate every order passes, in every mode (DESIGN.md principle 3): pre-trade checks against the
 * run's limits, the trading state (ACTIVE, REDUCING, HALTED), the breakers that move it, and the kill switch.
 * Synchronous and allocation-light: the gate sits on the order path of every mode.
 */
export class RiskEngine implements MarketEventHandler {
  readonly state: TradingStateMachine;
  readonly killSwitch: KillSwitch;
  readonly breakers: BreakerBoard;
  readonly exposure: ExposureBook;
  private readonly clock: Clock;
  private readonly account: AccountView;
  private readonly instruments: readonly Instrument[];
  private readonly estimateFee: FeeEstimate;
  /** The limits in force: the run's config, or the last live change (changeLimits). */
  private limits: RiskConfig;
  private rules = new Map<string, InstrumentRules>();
  private checks: PreTradeCheck[] = [];
  private modificationChecks: PreTradeCheck[] = [];
  private modificationThrottle!: ModificationThrottle;
  private readonly flattenChecks: PreTradeCheck[] = [orderShapeCheck, instrumentRulesCheck];
  private readonly timeDriven: boolean;
  /** During a kill-switch follow-up: plan only instruments with nothing working (all cancels settled). */
  private quietOnly = false;
  /** Equity the breakers last saw. */
  private lastEquity = NaN;
  /** Positions a follow-up could not flatten (e.g. below the venue minimum), by lots, so it does not retry every event. */
  private readonly unflattenable = new Map<string, number>();

  constructor(o: RiskEngineOptions) {
    const config = o.config ?? NO_LIMITS;
    this.limits = config;
    this.clock = o.clock;
    this.account = o.account ?? noAccount;
    this.instruments = o.instruments;
    this.estimateFee = o.estimateFee ?? noFee;
    this.exposure = new ExposureBook(o.instruments);
    this.state = new TradingStateMachine(o.clock);
    this.killSwitch = new KillSwitch({ state: this.state, clock: o.clock, flattenByDefault: config.killSwitch.flatten });
    this.breakers = new BreakerBoard({ config: config.breakers, state: this.state, clock: o.clock, kill: (req) => this.killSwitch.activate(req) });
    this.timeDriven = config.breakers.staleData !== undefined || config.breakers.venueDisconnect !== undefined;
    this.buildChecks(config);
  }

  /** The limits in force. */
  get config(): RiskConfig {
    return this.limits;
  }

  /**
   * Put new order limits in force while trading (an operator's limit change): account, strategy, instrument and
   * asset-class limits, sessions, collars, the restricted list. The books, the trading state and the breakers
   * carry on; the sliding windows of the throttles and the duplicate check start afresh. Breakers and the kill
   * switch's settings are not changed live (they hold state a halt depends on): a config that changes them is
   * refused with a KeelError naming them, and nothing changes.
   *
   * @example risk.changeLimits(riskConfigFromObject({ account: { maxOrderNotional: 20000 } }, 'operator'))
   */
  changeLimits(config: RiskConfig): void {
    if (canonical(config.breakers) !== canonical(this.limits.breakers)) {
      throw new KeelError('LIMITS_NOT_LIVE', 'cannot be changed while trading (a restart with the new keel.yaml does)', { field: 'risk.breakers' });
    }
    if (config.killSwitch.flatten !== this.limits.killSwitch.flatten) {
      throw new KeelError('LIMITS_NOT_LIVE', 'cannot be changed while trading (a restart with the new keel.yaml does)', { field: 'risk.killSwitch.flatten', value: String(config.killSwitch.flatten) });
    }
    this.buildChecks(config); // throws before changing anything when the limits need what this engine lacks
    this.limits = config;
  }

  private buildChecks(config: RiskConfig): void {
    const needsAccount = config.account.buyingPower || config.breakers.dailyLoss || config.breakers.drawdown;
    if (needsAccount && this.account === noAccount) throw new Error('risk engine: buying power and equity breakers need an account view');
    const rules = new Map<string, InstrumentRules>();
    for (const inst of this.instruments) rules.set(inst.id, instrumentRules(inst, config));
    const env = { account: this.account, estimateFee: this.estimateFee };
    const tradingState = tradingStateCheck(this.state);
    const restricted = restrictedListCheck(config);
    const collar = priceCollarCheck(config);
    const size = orderSizeCheck(config);
    const exposureLimit = exposureLimitCheck(config, this.exposure);
    const buyingPower = buyingPowerCheck(config, this.exposure, env);
    const modificationThrottle = modificationThrottleCheck(config);
    this.rules = rules;
    this.modificationThrottle = modificationThrottle;
    // Cheap, fundamental checks first; the throttle last so that only orders that pass everything count.
    this.checks = [
      orderShapeCheck, instrumentRulesCheck, tradingState, reduceOnlyCheck, unknownOutcomeCheck,
      restricted, tradingSessionCheck, collar, size, duplicateOrderCheck(config),
      openOrdersCheck(config, this.exposure), positionLimitCheck, exposureLimit, shortSaleCheck,
      buyingPower, messageThrottleCheck(config),
    ];
    // A replacement is checked as if it were the order, except: it is not a new submission (the order
    // throttle and the duplicate window are for new orders) and it adds no working order (open-orders).
    // Its own throttle counts cancel/replace requests instead.
    this.modificationChecks = [
      orderShapeCheck, instrumentRulesCheck, tradingState, reduceOnlyCheck, unknownOutcomeCheck,
      restricted, tradingSessionCheck, collar, size,
      positionLimitCheck, exposureLimit, shortSaleCheck,
      buyingPower, modificationThrottle,
    ];
  }

  get tradingState(): TradingState {
    return this.state.state;
  }

  get stateReason(): string {
    return this.state.reason;
  }

  /** Names of the pre-trade checks, in the order they run. */
  get checkNames(): readonly string[] {
    return this.checks.map((c) => c.name);
  }

  /** Names of the checks the kill switch's flatten orders run (they must reach the market whatever the limits say). */
  get flattenCheckNames(): readonly string[] {
    return this.flattenChecks.map((c) => c.name);
  }

  /** Names of the checks a modification (cancel/replace) runs, in order. */
  get modificationCheckNames(): readonly string[] {
    return this.modificationChecks.map((c) => c.name);
  }

  addListener(listener: RiskEventListener): void {
    this.state.addListener(listener);
  }

  /** Persist the trading state and restore a halt from before a restart (journal hook). */
  attachStateStore(store: TradingStateStore, source: string): void {
    this.state.attachStore(store, source);
  }

  /** Run the order through every check; the first refusal wins. */
  evaluate(order: OrderRequest, purpose: GatePurpose = 'strategy'): RiskDecision {
    const r = this.review(order, purpose === 'flatten', undefined);
    if (r === undefined) return { approved: false, check: 'instrument', reason: `${order.instrumentId} is not traded in this run` };
    return this.decide(r, purpose === 'flatten' ? this.flattenChecks : this.checks);
  }

  /**
   * Gate a modification (cancel/replace) of a working order: `replacement` is `current` with a new quantity
   * and/or prices. It runs through the order checks as if it were the order, with `current`'s working lots
   * taken out of the books so they are not counted twice, and its fills counted as done (the replacement's
   * quantity includes them). Not applied: the order throttle, the duplicate window and the open-order count
   * (it is not a new order); applied instead: the modification throttle. A replacement that leaves no more
   * lots working than the order (a new price, a smaller size) adds no risk: it passes REDUCING and the
   * exposure-type limits even when price moves put the books over them. HALTED refuses every modification.
   *
   * @example risk.evaluateModification(order, { ...order, limitPrice: 10_050 as PriceTicks })
   */
  evaluateModification(current: OrderRequest, replacement: OrderRequest): RiskDecision {
    if (replacement.clientOrderId !== current.clientOrderId || replacement.type !== current.type || replacement.side !== current.side
      || replacement.instrumentId !== current.instrumentId || replacement.strategyId !== current.strategyId
      || replacement.timeInForce !== current.timeInForce || replacement.reduceOnly !== current.reduceOnly) {
      throw new Error(`a replacement of ${current.clientOrderId} may change its quantity and prices only`);
    }
    const id = current.clientOrderId;
    const w = this.exposure.workingOrder(id);
    if (w === undefined) return { approved: false, check: 'order-state', reason: `Order ${id} is not working; there is nothing to modify` };
    if (w.pending) return { approved: false, check: 'order-state', reason: `Order ${id} already has a modification in flight` };
    if (w.request.type === 'market' && w.request.notional !== undefined) {
      return { approved: false, check: 'order-shape', reason: 'A cash-sized (notional) order cannot be modified; cancel it and submit a new one' };
    }
    const filledLots = w.request.quantity - w.leavesLots;
    const book = this.exposure.instruments.get(current.instrumentId)!;
    if (replacement.quantity <= filledLots && replacement.quantity > 0) {
      const inst = book.instrument;
      return {
        approved: false, check: 'order-shape',
        reason: `New quantity ${fmtQty(inst, replacement.quantity)} is not above the ${fmtQty(inst, filledLots)} already filled; cancel the order instead`,
      };
    }
    const replaced: ReplacedOrder = { order: w.request, filledLots, leavesLots: w.leavesLots, priceTicks: valuationTicks(w.request, book.refTicks) };
    return this.exposure.withoutWorkingOrder(id, () => this.decide(this.review(replacement, false, replaced)!, this.modificationChecks));
  }

  /**
   * A strategy asked to cancel `order`: count it toward the modification throttle. Never refuses: a cancel
   * takes risk off the market (and a halted or runaway strategy must always be able to pull its orders), so
   * the throttle only lets cancels use up the budget that replaces would otherwise have.
   */
  onCancelRequest(order: OrderRequest): void {
    this.modificationThrottle.recordCancel(order.strategyId, this.clock.now());
  }

  /** Every order event, after the OMS applied it: positions, working orders, venue answers. */
  onOrderEvent(event: OrderEvent): void {
    this.exposure.onOrderEvent(event);
    switch (event.type) {
      case 'order.accepted': this.breakers.onVenueAnswer(event.ts, false); break;
      case 'order.rejected': this.breakers.onVenueAnswer(event.ts, true); break;
      case 'order.unknown': this.breakers.onUnknownCount(this.exposure.unknownOrders); break;
      default: break;
    }
  }

  /** Reference prices, then the equity and time-driven breakers (after the portfolio marked this event). */
  onMarketEvent(e: MarketEvent): void {
    const x = this.exposure;
    x.onMarketEvent(e);
    if (this.breakers.watchesEquity) {
      // Unchanged equity (flat, no fill) gives the equity breakers nothing new: a daily reset that passed
      // meanwhile still takes this same equity as its baseline when the next change arrives.
      const equity = this.account.equity();
      if (equity !== this.lastEquity) {
        this.lastEquity = equity;
        this.breakers.onEquity(e.ts, equity);
      }
    }
    if (this.timeDriven) this.breakers.onTime(e.ts, x.instrumentList, x.openPositions > 0 || x.openOrders > 0);
    if (this.killSwitch.flattening) this.followUpFlatten();
  }

  /** A timer tick in live modes, where data may stop arriving altogether. */
  onTimer(now: number): void {
    if (this.timeDriven) this.breakers.onTime(now, this.exposure.instrumentList);
    if (this.killSwitch.flattening) this.followUpFlatten();
  }

  /** After a kill with flatten: close positions that fills arriving after the switch opened. */
  private followUpFlatten(): void {
    const books = this.exposure.instrumentList;
    if (books.every((b) => b.lots === 0 && b.openOrders === 0)) {
      this.killSwitch.flattening = false;
      return;
    }
    this.quietOnly = true;
    try {
      this.killSwitch.followUp();
    } finally {
      this.quietOnly = false;
    }
  }

  /** A round trip closed with this PnL (net of fees). */
  onTradeClosed(pnl: number): void {
    this.breakers.onTradeClosed(pnl);
  }

  onVenueConnection(venue: string, connected: boolean, reason: string): void {
    this.breakers.onVenueConnection(venue, connected, this.clock.now(), reason);
  }

  activateKillSwitch(req: KillRequest): KillSwitchEvent {
    return this.killSwitch.activate(req);
  }

  /** Operator action: back to ACTIVE and every breaker re-armed. Returns true when the state changed. */
  rearm(who: string, reason: string): boolean {
    this.breakers.rearm();
    this.lastEquity = NaN; // the re-armed breakers look at the next sample even if equity has not moved
    this.killSwitch.flattening = false;
    this.unflattenable.clear();
    return this.state.set('ACTIVE', who, reason);
  }

  /**
   * The market orders that close every position, split to respect the instrument's maximum order quantity.
   * Each goes to the strategy holding the position when only one does, else to the account.
   */
  flattenPlan(): FlattenOrder[] {
    const out: FlattenOrder[] = [];
    for (const book of this.exposure.instrumentList) {
      if (book.lots === 0) continue;
      const id = book.instrument.id;
      if (this.quietOnly && (book.openOrders > 0 || this.unflattenable.get(id) === book.lots)) continue;
      if (this.quietOnly) this.unflattenable.set(id, book.lots);
      const holders = [...this.exposure.strategies.values()].filter((s) => s.lines[book.index].lots !== 0);
      const strategyId = holders.length === 1 ? holders[0].strategyId : 'kill-switch';
      const side: OrderSide = book.lots > 0 ? 'sell' : 'buy';
      const max = this.rules.get(id)!.maxLots ?? Number.MAX_SAFE_INTEGER;
      for (let left = Math.abs(book.lots); left > 0; left -= Math.min(left, max)) {
        out.push({ strategyId, instrumentId: id, side, lots: Math.min(left, max) });
      }
    }
    return out;
  }

  /** The first refusal wins; when every check passes, each records the approval (throttles, duplicates). */
  private decide(r: OrderUnderReview, checks: readonly PreTradeCheck[]): RiskDecision {
    for (let i = 0; i < checks.length; i++) {
      const reason = checks[i].check(r);
      if (reason !== undefined) return { approved: false, check: checks[i].name, reason };
    }
    for (let i = 0; i < checks.length; i++) checks[i].approved?.(r);
    return { approved: true, order: markApproved(r.order) };
  }

  private review(order: OrderRequest, flatten: boolean, replaces: ReplacedOrder | undefined): OrderUnderReview | undefined {
    const book = this.exposure.instruments.get(order.instrumentId);
    if (book === undefined) return undefined;
    const inst = book.instrument;
    const cashSized = order.type === 'market' && order.notional !== undefined;
    const priceTicks = valuationTicks(order, book.refTicks);
    const unit = Number.isSafeInteger(priceTicks) && priceTicks > 0 ? BigInt(priceTicks) * inst.notionalUnit : 0n;
    let lots: number = order.quantity;
    let notional: Money | undefined;
    if (cashSized) {
      notional = order.notional;
      lots = unit > 0n ? Number(order.notional! / unit) : NaN;
    } else if (unit > 0n && Number.isSafeInteger(lots)) {
      notional = valueOf(inst, priceTicks, lots);
    }
    // The fills of an order being replaced are already in the position; only the rest can still trade.
    const workingLots = replaces === undefined ? lots : lots - replaces.filledLots;
    const reducing = !cashSized && (order.side === 'sell'
      ? book.lots > 0 && workingLots <= book.lots - book.openSellLots
      : book.lots < 0 && workingLots <= -book.lots - book.openBuyLots);
    return {
      order, book, strategy: this.exposure.strategy(order.strategyId), rules: this.rules.get(inst.id)!,
      strategyLimits: this.limits.strategies[order.strategyId] ?? NO_SCOPE, now: this.clock.now(),
      lots, workingLots, replaces, grows: replaces === undefined || workingLots > replaces.leavesLots,
      priceTicks, notional, reducing, flatten, accountChange: undefined,
    };
  }
}
