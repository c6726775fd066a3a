import { KeelError } from '../../model/index.ts';
import type { KillSwitchEvent } from '../../risk/index.ts';
import type { ControlStatus } from './control-handler.ts';
import type { EngineInfo } from './control-dir.ts';

/**
 * A command an operator sends to a running engine. `by` is the operator's name ("alice"); the engine
 * records it as "operator alice".
 */
export type ControlCommand =
  | { readonly type: 'kill'; readonly by: string; readonly reason: string; readonly flatten?: boolean }
  | { readonly type: 'rearm'; readonly by: string; readonly reason: string }
  | { readonly type: 'status' };

/** The engine's answer to one command. */
export type ControlAck =
  | { readonly ok: true; readonly type: 'kill'; readonly event: KillSwitchEvent; readonly status: ControlStatus }
  | { readonly ok: true; readonly type: 'rearm'; readonly changed: boolean; readonly status: ControlStatus }
  | { readonly ok: true; readonly type: 'status'; readonly status: ControlStatus; readonly engine: EngineInfo }
  | { readonly ok: false; readonly type: string | undefined; readonly error: string };

/** Long enough for any honest reason, short enough that a runaway script cannot bloat logs and events. */
const MAX_TEXT = 500;

/**
 * Validate a command read from a file (it came from outside the process, so nothing is assumed).
 *
 * @example
 * parseControlCommand({ type: 'kill', by: 'alice', reason: 'runaway orders' });
 */
export function parseControlCommand(raw: unknown): ControlCommand {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KeelError('BAD_COMMAND', 'a command must be a JSON object', { hint: 'e.g. {"type":"status"}' });
  }
  const c = raw as Record<string, unknown>;
  switch (c.type) {
    case 'kill': {
      if (c.flatten !== undefined && typeof c.flatten !== 'boolean') throw new KeelError('BAD_COMMAND', 'must be true or false', { field: 'flatten', value: c.flatten });
      const cmd = { type: 'kill' as const, by: text(c, 'by'), reason: text(c, 'reason') };
      return c.flatten === undefined ? cmd : { ...cmd, flatten: c.flatten };
    }
    case 'rearm':
      return { type: 'rearm', by: text(c, 'by'), reason: text(c, 'reason') };
    case 'status':
      return { type: 'status' };
    default:
      throw new KeelError('BAD_COMMAND', 'is not a control command', { field: 'type', value: c.type, hint: 'kill, rearm or status' });
  }
}

function text(c: Record<string, unknown>, field: string): string {
  const v = c[field];
  if (v === undefined) throw new KeelError('BAD_COMMAND', 'is required', { field });
  if (typeof v !== 'string' || v.trim() === '') throw new KeelError('BAD_COMMAND', 'must be a non-empty string', { field, value: v });
  if (v.length > MAX_TEXT) throw new KeelError('BAD_COMMAND', `must be at most ${MAX_TEXT} characters`, { field, value: v });
  return v.trim();
}
