import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describeActor, KeelError, type TradingState } from '../../model/index.ts';
import {
  controlPaths, FileTradingStateStore, sendControlCommand, type ControlAck, type ControlCommand, type EngineInfo, type SendResult,
} from '../../ops/index.ts';
import { parseFlags, required } from '../args.ts';
import { API_FLAGS, API_FLAGS_HELP, postAction, type ApiAnswer } from '../api-action.ts';

export const CONTROL_HELP = `keel kill | rearm | status: operate an engine through its control directory (--control DIR)

  keel kill --control DIR [--flatten] [--reason TEXT] [--by NAME] [--timeout 10s]
      cancel every working order (with --flatten also close every position) and halt: the engine stays
      HALTED, across restarts too, until re-armed. With no engine running, saves HALTED in DIR so the
      next engine started with that directory comes up HALTED.
  keel rearm --control DIR --reason TEXT [--by NAME] [--timeout 10s]
      an operator's decision to trade again (back to ACTIVE)
  keel status --control DIR [--timeout 10s]
      the engine's trading state and why
  keel kill --api URL --token-file F [--totp CODE] [--cacert FILE] [--flatten] [--reason TEXT]
  keel rearm --api URL --token-file F [--totp CODE] [--cacert FILE] --reason TEXT
      the same through the engine's HTTP API, as the user whose token it is (roles, TOTP, four-eyes and
      the audit trail apply; docs/api.md)
${API_FLAGS_HELP}  --by NAME        who you are, recorded with the change (default: your OS user name; not with --api)
  --timeout T      how long to wait for the engine's answer: 500ms, 10s, 1m (default 10s); a command
                   the engine has not taken by then is withdrawn and never runs
  Exit status: 0 done, 1 the engine did not answer or refused, 2 bad arguments.
`;

const COMMON = { control: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
const KILL_OPTIONS = { ...COMMON, ...API_FLAGS, flatten: { type: 'boolean' }, reason: { type: 'string' }, by: { type: 'string' } } as const;
const REARM_OPTIONS = { ...COMMON, ...API_FLAGS, reason: { type: 'string' }, by: { type: 'string' } } as const;

const CONTROL_HINT = "the engine's control directory, e.g. --control run/control";

/** `keel kill`: pull the kill switch of the engine in --control DIR, or leave DIR halted if none runs. */
export async function killCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, KILL_OPTIONS, 'kill');
  if (v.help) { process.stdout.write(CONTROL_HELP); return 0; }
  if (v.api !== undefined) {
    const reason = textFlag(v.reason ?? 'manual kill from the command line', '--reason');
    return viaApi('kill', await postAction({ ...v, api: v.api, timeout: timeoutFlag(v.timeout) }, '/api/kill', { flatten: v.flatten === true, reason }));
  }
  const dir = required(v.control, '--control', CONTROL_HINT);
  const by = operator(v.by);
  const reason = textFlag(v.reason ?? 'manual kill from the command line', '--reason');
  const command: ControlCommand = v.flatten ? { type: 'kill', by, reason, flatten: true } : { type: 'kill', by, reason };
  const r = await sendControlCommand(dir, command, { timeoutMs: timeoutFlag(v.timeout) });
  if (!r.delivered) {
    const created = !existsSync(dir);
    // Same record the kill switch itself would save, so the engine's restore message reads the same.
    new FileTradingStateStore(dir).save({
      state: 'HALTED', reason: `kill switch: ${reason}`, by: describeActor({ kind: 'kill-switch', who: `operator ${by}` }), ts: Date.now(),
    });
    out(`${notRunning(dir, r)}: nothing was canceled or flattened.`);
    out(`saved HALTED to ${controlPaths(dir).state}${created ? ' (created the directory)' : ''}: the next engine started with --control ${dir} comes up HALTED until keel rearm --control ${dir} --reason TEXT.`);
    return 0;
  }
  const ack = answered(dir, r, 'kill');
  if (!ack) return 1;
  if (ack.type !== 'kill') return unexpected(r.engine, ack);
  const e = ack.event;
  out(`kill switch pulled on engine pid ${r.engine.pid} (${r.engine.description}) by ${e.by}: ${e.reason}`);
  out(`canceled: ${e.canceled.length > 0 ? orders(e.canceled, 'working order') : 'nothing (no working orders)'}`);
  const noFlatten = v.flatten ? 'no open positions' : "not asked (--flatten); the engine's killSwitch.flatten setting applies";
  out(`flattened: ${e.flattenOrders.length > 0 ? orders(e.flattenOrders, 'market order', ' sent') : e.notFlattened.length > 0 ? 'nothing' : noFlatten}`);
  for (const line of e.notFlattened) out(`not flattened: ${line}`);
  out(`state: ${stateLine(ack.status.state, ack.status.reason)}`);
  return 0;
}

/** `keel rearm`: an operator's decision to trade again. */
export async function rearmCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, REARM_OPTIONS, 'rearm');
  if (v.help) { process.stdout.write(CONTROL_HELP); return 0; }
  const reason = textFlag(required(v.reason, '--reason', 'say why it is safe to trade again, e.g. --reason "venue recovered"'), '--reason');
  if (v.api !== undefined) return viaApi('rearm', await postAction({ ...v, api: v.api, timeout: timeoutFlag(v.timeout) }, '/api/rearm', { reason }));
  const dir = required(v.control, '--control', CONTROL_HINT);
  const by = operator(v.by);
  const r = await sendControlCommand(dir, { type: 'rearm', by, reason }, { timeoutMs: timeoutFlag(v.timeout) });
  if (!r.delivered) {
    const store = new FileTradingStateStore(dir);
    const saved = store.load();
    if (!saved || saved.state === 'ACTIVE') {
      out(`${notRunning(dir, r)} and no halt is saved there: nothing to re-arm.`);
      return 0;
    }
    store.save({ state: 'ACTIVE', reason, by: describeActor({ kind: 'operator', who: by }), ts: Date.now() });
    out(`${notRunning(dir, r)}; saved ACTIVE to ${controlPaths(dir).state} (was ${stateLine(saved.state, saved.reason)}): the next engine started there comes up ACTIVE.`);
    return 0;
  }
  const ack = answered(dir, r, 'rearm');
  if (!ack) return 1;
  if (ack.type !== 'rearm') return unexpected(r.engine, ack);
  if (ack.changed) {
    out(`re-armed engine pid ${r.engine.pid} (${r.engine.description}) as operator ${by}: ${stateLine(ack.status.state, ack.status.reason)}`);
    return 0;
  }
  if (ack.status.state === 'ACTIVE') {
    out(`engine pid ${r.engine.pid} (${r.engine.description}) was already ACTIVE: nothing changed.`);
    return 0;
  }
  return fail(`engine pid ${r.engine.pid} did not re-arm: still ${stateLine(ack.status.state, ack.status.reason)}`);
}

/** `keel status`: the trading state of the engine in --control DIR, or the state it will start in. */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, COMMON, 'status');
  if (v.help) { process.stdout.write(CONTROL_HELP); return 0; }
  const dir = required(v.control, '--control', CONTROL_HINT);
  const r = await sendControlCommand(dir, { type: 'status' }, { timeoutMs: timeoutFlag(v.timeout) });
  if (!r.delivered) {
    const saved = new FileTradingStateStore(dir).load();
    out(`${notRunning(dir, r)}.`);
    out(saved
      ? `saved state: ${stateLine(saved.state, saved.reason)} (set by ${saved.by}); the next engine started there comes up ${saved.state}.`
      : 'no saved state: the next engine started there comes up ACTIVE.');
    return 0;
  }
  const ack = answered(dir, r, 'status');
  if (!ack) return 1;
  if (ack.type !== 'status') return unexpected(r.engine, ack);
  out(`engine pid ${r.engine.pid}: ${r.engine.description}, started ${r.engine.startedAt}`);
  out(`state: ${stateLine(ack.status.state, ack.status.reason)}`);
  return 0;
}

/**
 * The API's answer, said: 200 done (exit 0), 202 a four-eyes request waiting for a second risk user (exit 0),
 * anything else refused (exit 1) with the server's one line (what is missing: a code, a role, the token).
 */
function viaApi(what: 'kill' | 'rearm', a: ApiAnswer): number {
  if (a.status === 200) { out(a.message); return 0; }
  if (a.status === 202) { out(`requested: ${a.message}`); return 0; }
  return fail(`${what} refused by the API (${a.status}): ${a.message}`);
}

/** The ack of a delivered command, or undefined after printing why there is none (or why it failed). */
function answered(dir: string, r: Extract<SendResult, { delivered: true }>, what: 'kill' | 'rearm' | 'status'): Extract<ControlAck, { ok: true }> | undefined {
  const pid = `engine pid ${r.engine.pid}`;
  if (r.outcome === 'answered') {
    if (r.ack.ok) return r.ack;
    fail(`${pid} refused ${what}: ${r.ack.error}`);
    return undefined;
  }
  const fate = r.withdrawn
    ? 'the command was withdrawn and will not run'
    : `it had taken the command, so the outcome is unknown: check keel status --control ${dir}`;
  if (r.outcome === 'engine-stopped') {
    fail(`${pid} stopped before answering ${what}; ${fate}`);
  } else {
    // With no engine running, kill and rearm act on state.json alone, so that is the way out of a stuck engine.
    const next = what === 'status' ? '' : `; if it is stuck, stop process ${r.engine.pid} and run keel ${what} again`;
    fail(`${pid} did not answer ${what} within ${(r.waitedMs / 1000).toFixed(1)}s; ${fate}${next}`);
  }
  return undefined;
}

function unexpected(engine: EngineInfo, ack: ControlAck): number {
  return fail(`engine pid ${engine.pid} answered with an unexpected ${ack.type ?? 'unknown'} ack`);
}

function notRunning(dir: string, r: Extract<SendResult, { delivered: false }>): string {
  return r.outcome === 'no-engine'
    ? `no engine is running in ${dir}`
    : `no engine is running in ${dir} (engine.json names pid ${r.engine.pid}, ${r.engine.description}, which has exited without unregistering)`;
}

function stateLine(state: TradingState, reason: string): string {
  return reason ? `${state} — ${reason}` : state;
}

/** "2 working orders (O-1, O-2)", ids cut at ten: a kill can cancel hundreds, and the engine's log has them all. */
function orders(list: readonly string[], noun: string, verb = ''): string {
  const shown = list.slice(0, 10).join(', ');
  return `${list.length} ${noun}${list.length === 1 ? '' : 's'}${verb} (${shown}${list.length > 10 ? ', ...' : ''})`;
}

function operator(by: string | undefined): string {
  if (by !== undefined) return textFlag(by, '--by');
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment rather than refusing an emergency kill.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export function textFlag(value: string, field: string): string {
  if (value.trim() === '') throw new KeelError('BAD_ARGUMENT', 'must not be empty', { field, value });
  if (value.length > 500) throw new KeelError('BAD_ARGUMENT', 'must be at most 500 characters', { field, value });
  return value.trim();
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** `--timeout 500ms | 10s | 1m`; a unit is required, since a bare 500 could mean either. */
export function timeoutFlag(value: string | undefined): number {
  if (value === undefined) return 10_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value.trim());
  if (!m) throw new KeelError('BAD_DURATION', 'is not a duration', { field: '--timeout', value, hint: 'e.g. 500ms, 10s or 1m' });
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  if (ms <= 0 || ms > 3_600_000) throw new KeelError('BAD_DURATION', 'must be more than 0 and at most 1h', { field: '--timeout', value });
  return ms;
}

function out(line: string): void {
  process.stdout.write(line + '\n');
}

function fail(line: string): number {
  process.stderr.write(`keel: ${line}\n`);
  return 1;
}
