import { defineInstrument, parseMoney, type Instrument, type InstrumentSpec, type Money } from '../model/index.ts';
import { parseRiskConfig, type RiskConfig } from '../risk/index.ts';
import {
  fixedBpsSlippage, halfSpreadSlippage, latencyModel, makerTakerFee, noFees, noSlippage, percentFee, perUnitFee, sqrtImpactSlippage,
  type FeeModel, type LatencyModel, type LimitFillRule, type SlippageModel,
} from '../venues/index.ts';
import { describeSizing, type Sizing } from './sizing.ts';

/**
 * A fee schedule as plain data. The CLI validates the flags into one of these; every process that runs a
 * trial (a worker thread, a queue worker on another machine) builds the same `FeeModel` from it.
 */
export type FeeSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'percent'; readonly percent: string; readonly minimum: string }
  | { readonly kind: 'per-unit'; readonly perUnit: string; readonly minimum: string; readonly maxPercent?: string }
  | { readonly kind: 'maker-taker'; readonly makerBps: string; readonly takerBps: string };

export type SlippageSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'bps'; readonly bps: number }
  | { readonly kind: 'half-spread'; readonly spreadBps: number }
  | { readonly kind: 'sqrt'; readonly coefficient: number; readonly window: number };

/**
 * Everything about a backtest's engine except the strategy, its parameters and the data: cash, sizing, fees,
 * slippage, latency, fill rules and risk limits. Plain JSON (the risk limits travel as their YAML text), so
 * it can be sent to worker threads and across a job queue and rebuilt identically on the other side.
 */
export interface EngineSettings {
  /** Starting cash as a decimal string. */
  readonly cash: string;
  readonly sizing: Sizing;
  readonly fees: FeeSpec;
  readonly slippage: SlippageSpec;
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Seed of the latency jitter. */
  readonly seed: number;
  readonly participation: number;
  readonly limitFill: LimitFillRule;
  /** Annual risk-free rate for Sharpe and Sortino. */
  readonly riskFreeRate: number;
  /** The `--risk` file: its path (for messages) and its text, parsed wherever the engine is built. */
  readonly risk?: { readonly path: string; readonly text: string };
}

/** The models a run needs, built from settings. Latency draws from its own seeded generator: build per run. */
export interface EngineModels {
  readonly initialCash: Money;
  readonly sizing: Sizing;
  readonly fees: FeeModel;
  readonly slippage: SlippageModel;
  readonly latency: LatencyModel;
  readonly participationRate: number;
  readonly limitFill: LimitFillRule;
  readonly risk: RiskConfig | undefined;
}

/**
 * Build fresh engine models for one run. Deterministic: the same settings give models that behave the same.
 *
 * @example
 * const m = engineModels(settings); runBacktest({ ...m, strategyId, strategyClass, params, instrument, events });
 */
export function engineModels(s: EngineSettings, risk?: RiskConfig): EngineModels {
  return {
    initialCash: parseMoney(s.cash, '--cash'),
    sizing: s.sizing,
    fees: feeModel(s.fees),
    slippage: slippageModel(s.slippage),
    latency: latencyModel(s.latencyMs, s.jitterMs, s.seed),
    participationRate: s.participation,
    limitFill: s.limitFill,
    risk: risk ?? (s.risk ? parseRiskConfig(s.risk.text, s.risk.path) : undefined),
  };
}

/** The FeeModel a spec describes. @example feeModel({ kind: 'percent', percent: '0.1', minimum: '0' }) */
export function feeModel(f: FeeSpec): FeeModel {
  switch (f.kind) {
    case 'none': return noFees;
    case 'percent': return percentFee(f.percent, parseMoney(f.minimum, '--commission-min'));
    case 'per-unit': return perUnitFee(f.perUnit, parseMoney(f.minimum, '--commission-min'), f.maxPercent);
    case 'maker-taker': return makerTakerFee(f.makerBps, f.takerBps);
  }
}

/** The SlippageModel a spec describes. @example slippageModel({ kind: 'bps', bps: 5 }) */
export function slippageModel(s: SlippageSpec): SlippageModel {
  switch (s.kind) {
    case 'none': return noSlippage;
    case 'bps': return fixedBpsSlippage(s.bps);
    case 'half-spread': return halfSpreadSlippage(s.spreadBps);
    case 'sqrt': return sqrtImpactSlippage(s.coefficient, s.window);
  }
}

/** The `config` block a result records for these settings (the same keys `keel backtest` writes). */
export function describeSettings(s: EngineSettings, instrument: Instrument): Record<string, unknown> {
  const m = engineModels(s, undefined);
  return {
    cash: s.cash, sizing: describeSizing(s.sizing), fees: m.fees.description, slippage: m.slippage.description,
    latency: m.latency.description, participation: s.participation, limitFill: s.limitFill, riskFreeRate: s.riskFreeRate,
    tick: instrument.priceTick, lot: instrument.lotSize, timeZone: instrument.timeZone, risk: s.risk?.path ?? null,
  };
}

/** An instrument as plain data, rebuilt with `defineInstrument` on the side that runs the trial. */
export type InstrumentSettings = InstrumentSpec;

export function instrumentOf(spec: InstrumentSettings): Instrument {
  return defineInstrument(spec);
}
