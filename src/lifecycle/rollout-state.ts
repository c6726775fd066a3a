import { KeelError } from '../model/index.ts';

/** A candidate version in a rollout: where its code is and which parameters it runs with. */
export interface Candidate {
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly versionId: string;
}

/**
 * Where a rollout stands (docs/lifecycle.md). `shadow`: the candidate runs beside the live version on the same
 * data, its orders simulated, never sent. `canary`: it trades for real with `fraction` of the size and its own
 * loss budget. `full`: it is the live version. `rolled-back`: the previous version trades alone again.
 */
export type RolloutState =
  | { readonly stage: 'idle'; readonly current: string }
  | { readonly stage: 'shadow'; readonly current: string; readonly candidate: Candidate; readonly since: number }
  | { readonly stage: 'canary'; readonly current: string; readonly candidate: Candidate; readonly since: number; readonly fraction: number }
  | { readonly stage: 'full'; readonly current: string; readonly previous: string; readonly since: number }
  | { readonly stage: 'rolled-back'; readonly current: string; readonly candidate: Candidate; readonly from: 'shadow' | 'canary'; readonly since: number };

export type RolloutStage = RolloutState['stage'];

/** What an operator (or an automatic criterion) asks of a rollout. */
export type RolloutCommand =
  | { readonly kind: 'shadow'; readonly candidate: Candidate }
  | { readonly kind: 'promote'; readonly fraction: number }
  | { readonly kind: 'rollback' };

/**
 * The next state after `command`, or a KeelError saying why it does not apply here (the state is unchanged).
 * shadow → canary → full by `promote`; `rollback` from shadow or canary; a new `shadow` only when no
 * candidate is in flight.
 *
 * @example
 * let s: RolloutState = { stage: 'idle', current: 'aa11' };
 * s = nextRolloutState(s, { kind: 'shadow', candidate }, now); // shadow
 * s = nextRolloutState(s, { kind: 'promote', fraction: 0.25 }, now); // canary at 25%
 */
export function nextRolloutState(state: RolloutState, command: RolloutCommand, now: number): RolloutState {
  switch (command.kind) {
    case 'shadow': {
      if (state.stage === 'shadow' || state.stage === 'canary') {
        throw refused(state, 'shadow', `version ${state.candidate.versionId} is already in ${state.stage}: promote or roll it back first`);
      }
      if (command.candidate.versionId === state.current) throw refused(state, 'shadow', `version ${state.current} is already the live version`);
      return { stage: 'shadow', current: state.current, candidate: command.candidate, since: now };
    }
    case 'promote': {
      switch (state.stage) {
        case 'shadow':
          if (!(command.fraction > 0 && command.fraction <= 1)) throw refused(state, 'promote', `canary fraction ${command.fraction} is not in (0, 1]`);
          return { stage: 'canary', current: state.current, candidate: state.candidate, since: now, fraction: command.fraction };
        case 'canary':
          return { stage: 'full', current: state.candidate.versionId, previous: state.current, since: now };
        case 'idle': case 'full': case 'rolled-back':
          throw refused(state, 'promote', 'no candidate version is in shadow or canary');
      }
    }
    // falls through never: every stage returned or threw above
    case 'rollback': {
      switch (state.stage) {
        case 'shadow': case 'canary':
          return { stage: 'rolled-back', current: state.current, candidate: state.candidate, from: state.stage, since: now };
        case 'idle': case 'full': case 'rolled-back':
          throw refused(state, 'rollback', state.stage === 'full'
            ? `version ${state.current} is fully rolled out; deploy ${state.previous} again as a new shadow to go back`
            : 'no candidate version is in shadow or canary');
      }
    }
  }
}

function refused(state: RolloutState, action: string, why: string): KeelError {
  return new KeelError('ROLLOUT_STAGE', `cannot ${action} in stage ${state.stage}: ${why}`, { field: 'rollout', value: action });
}
