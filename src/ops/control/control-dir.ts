import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeelError } from '../../model/index.ts';

/**
 * The control directory an engine is operated through (`--control DIR`):
 *
 *   engine.json     the running engine: pid, start time, description (absent when none runs)
 *   state.json      the persisted trading state, so a HALTED engine comes back HALTED
 *   commands/*.json commands waiting for the engine (senders write *.tmp, then rename)
 *   acks/*.json     the engine's answers, one per command, under the command's name
 *
 * Local only: a pid means something on this machine alone. The HTTP API replaces this for remote operators.
 */
export interface ControlPaths {
  readonly dir: string;
  readonly engine: string;
  readonly state: string;
  readonly commands: string;
  readonly acks: string;
}

/**
 * The paths inside a control directory.
 *
 * @example
 * controlPaths('run/control').state; // 'run/control/state.json'
 */
export function controlPaths(dir: string): ControlPaths {
  return { dir, engine: join(dir, 'engine.json'), state: join(dir, 'state.json'), commands: join(dir, 'commands'), acks: join(dir, 'acks') };
}

/** What engine.json says about the engine that owns the directory. */
export interface EngineInfo {
  readonly pid: number;
  /** Wall clock, ISO 8601. Operational only: nothing in a run's results depends on it. */
  readonly startedAt: string;
  /** What is running, for the operator ("backtest sma-cross on ORCL"). */
  readonly description: string;
}

/**
 * Write JSON so that a reader sees the old file or the new one, never half of one: write a temp file in the
 * same directory, then rename over the target (rename is atomic within a file system). `durable` also
 * flushes the data to disk first, for files that must survive a power cut (the trading state).
 */
export function writeJsonAtomic(path: string, value: unknown, o: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  // The pid keeps two writers of the same file (engine and CLI) from sharing one temp file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { flush: o.durable === true });
  renameSync(tmp, path);
}

/** The file's parsed JSON, or undefined when it does not exist. Other read errors propagate. */
export function readJsonIfExists(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

/** Returned by readJsonIfExists for a file that is not JSON (callers turn it into a KeelError). */
export const INVALID_JSON: unique symbol = Symbol('invalid JSON');

/**
 * The engine registered in `dir`, or undefined when there is none. A corrupt engine.json is a KeelError.
 * Registered is not running: check `isProcessAlive(info.pid)`, since a crashed engine leaves its file behind.
 *
 * @example
 * const engine = readEngineInfo('run/control');
 * if (engine && isProcessAlive(engine.pid)) console.log(`engine ${engine.pid}: ${engine.description}`);
 */
export function readEngineInfo(dir: string): EngineInfo | undefined {
  const path = controlPaths(dir).engine;
  const raw = readJsonIfExists(path);
  if (raw === undefined) return undefined;
  const e = raw as Partial<EngineInfo> | null;
  if (e === null || typeof e !== 'object' || !Number.isSafeInteger(e.pid) || (e.pid as number) <= 0 || typeof e.startedAt !== 'string' || typeof e.description !== 'string') {
    throw new KeelError('BAD_CONTROL_FILE', 'is not an engine registration', { field: path, hint: 'an engine writes it on start; delete it if no engine is running' });
  }
  return { pid: e.pid as number, startedAt: e.startedAt, description: e.description };
}

/**
 * Whether a process with this pid exists on this machine. Signal 0 checks without sending anything; EPERM
 * means it exists but belongs to another user, which still counts as alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Delete a file; already gone is fine (another party cleaned it up first). Returns whether this call removed it. */
export function removeIfExists(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
