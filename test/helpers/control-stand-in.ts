import { SimClock } from '../../src/kernel/index.ts';
import type { RiskEvent } from '../../src/model/index.ts';
import { KillSwitch, TradingStateMachine, type KillTarget } from '../../src/risk/index.ts';
import { ControlChannel, controlHandlerFor, FileTradingStateStore, type RiskControls } from '../../src/ops/index.ts';

/** The execution side of a kill, recorded: a few working orders and positions to cancel and flatten. */
export class RecordingKillTarget implements KillTarget {
  readonly cancels: string[] = [];
  readonly flattens: string[] = [];
  working: string[];
  positions: string[];
  failWith: Error | undefined;

  constructor(o: { working?: string[]; positions?: string[] } = {}) {
    this.working = o.working ?? ['O-1', 'O-2'];
    this.positions = o.positions ?? ['AAPL'];
  }

  cancelAllOrders(reason: string): string[] {
    if (this.failWith) throw this.failWith;
    this.cancels.push(reason);
    const ids = this.working;
    this.working = [];
    return ids;
  }

  flattenAllPositions(tag: string): { submitted: string[]; notFlattened: string[] } {
    this.flattens.push(tag);
    const submitted = this.positions.map((p, i) => `F-${i + 1}-${p}`);
    this.positions = [];
    return { submitted, notFlattened: [] };
  }
}

/**
 * The risk side of an engine, as the risk engine will expose it, built from the real TradingStateMachine and
 * KillSwitch; plus a control channel over it. Optionally persists the trading state in the control dir.
 */
export function standInEngine(dir: string, o: { persist?: boolean; description?: string; target?: RecordingKillTarget } = {}) {
  const clock = new SimClock(Date.UTC(2024, 0, 2, 14, 30));
  const state = new TradingStateMachine(clock);
  const events: RiskEvent[] = [];
  state.addListener({ onRiskEvent: (e) => { events.push(e); } });
  const restored = o.persist ? state.attachStore(new FileTradingStateStore(dir), `${dir}/state.json`) : undefined;
  const target = o.target ?? new RecordingKillTarget();
  const killSwitch = new KillSwitch({ state, clock, flattenByDefault: false });
  killSwitch.connect(target);
  const risk: RiskControls = {
    activateKillSwitch: (req) => killSwitch.activate(req),
    rearm: (who, reason) => state.set('ACTIVE', who, reason),
    get tradingState() { return state.state; },
    get stateReason() { return state.reason; },
  };
  const channel = new ControlChannel(dir, controlHandlerFor(risk), { description: o.description ?? 'stand-in engine' });
  return { clock, state, events, restored, target, risk, channel };
}
