import { KeelError, type TradingState } from '../../model/index.ts';
import type { PersistedTradingState, TradingStateStore } from '../../risk/index.ts';
import { controlPaths, INVALID_JSON, readJsonIfExists, writeJsonAtomic } from './control-dir.ts';

const STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/**
 * The trading state in `state.json` of the control directory, so a HALTED engine comes back HALTED when it
 * is restarted with the same directory (and `keel kill` can halt an engine that is not running).
 *
 * Interim: when the journal lands, the state is a fold over journaled `risk.state-changed` events and the
 * journal implements TradingStateStore instead; this file then goes away.
 *
 * @example
 * const restored = stateMachine.attachStore(new FileTradingStateStore('run/control'), 'run/control/state.json');
 */
export class FileTradingStateStore implements TradingStateStore {
  readonly path: string;

  constructor(dir: string) {
    this.path = controlPaths(dir).state;
  }

  /**
   * The saved state, or undefined when there is none. A file that cannot be read as a state is an error,
   * not "ACTIVE": guessing could re-open risk an operator had halted.
   */
  load(): PersistedTradingState | undefined {
    const raw = readJsonIfExists(this.path);
    if (raw === undefined) return undefined;
    const s = raw === INVALID_JSON ? undefined : (raw as Partial<PersistedTradingState> | null);
    if (!s || typeof s !== 'object' || !STATES.includes(s.state as TradingState) || typeof s.reason !== 'string' || typeof s.by !== 'string' || !Number.isFinite(s.ts)) {
      throw new KeelError('BAD_STATE_FILE', 'is not a saved trading state', {
        field: this.path, hint: 'expected {"state":"HALTED","reason":"...","by":"...","ts":0}; fix it, or delete it to start ACTIVE',
      });
    }
    return { state: s.state as TradingState, reason: s.reason, by: s.by, ts: s.ts as number };
  }

  /** Durable and atomic: a crash leaves the old state or the new one, never a torn file. */
  save(state: PersistedTradingState): void {
    writeJsonAtomic(this.path, { state: state.state, reason: state.reason, by: state.by, ts: state.ts }, { durable: true });
  }
}
