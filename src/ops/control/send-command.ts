import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlAck, ControlCommand } from './control-command.ts';
import {
  controlPaths, INVALID_JSON, isProcessAlive, readEngineInfo, readJsonIfExists, removeIfExists, type EngineInfo,
} from './control-dir.ts';

/**
 * What became of a command:
 * - `no-engine`: no engine.json, nothing was sent.
 * - `engine-not-running`: engine.json names a pid that is gone (the engine died without cleaning up).
 * - `answered`: the engine executed it (or refused it: `ack.ok` is false) and answered.
 * - `timeout` / `engine-stopped`: no answer in time, or the engine went away while we waited. `withdrawn`
 *   true means the command was deleted before the engine took it, so it will never run; false means the
 *   engine had already taken it and its outcome is unknown.
 */
export type SendResult =
  | { readonly delivered: false; readonly outcome: 'no-engine'; readonly engine: undefined }
  | { readonly delivered: false; readonly outcome: 'engine-not-running'; readonly engine: EngineInfo }
  | { readonly delivered: true; readonly outcome: 'answered'; readonly engine: EngineInfo; readonly ack: ControlAck }
  | {
    readonly delivered: true; readonly outcome: 'timeout' | 'engine-stopped'; readonly engine: EngineInfo;
    readonly withdrawn: boolean; readonly waitedMs: number;
  };

export interface SendOptions {
  /** How long to wait for the answer (default 10 s). */
  readonly timeoutMs?: number;
  /** Sleep between looks for the answer (default 20 ms). */
  readonly pollMs?: number;
  /** After the engine took the command but the timeout ran out, wait this much longer for its answer (default 1 s). */
  readonly claimGraceMs?: number;
}

let sequence = 0;

/**
 * Send a command to the engine that owns `dir` and wait for its answer.
 *
 * On timeout the command is withdrawn (deleted) rather than left for later. An engine that does not answer in
 * time is stuck or slow; if the command stayed, the engine could execute a kill minutes later, long after
 * the operator was told it failed and may have acted otherwise (restarted it, flattened by hand). A
 * withdrawn command never runs, so what the operator is told stays true. If the engine had already taken
 * it, it cannot be withdrawn, and the result says the outcome is unknown.
 *
 * @example
 * const r = await sendControlCommand('run/control', { type: 'kill', by: 'alice', reason: 'runaway' }, { timeoutMs: 5000 });
 * if (r.outcome === 'answered' && r.ack.ok && r.ack.type === 'kill') console.log(r.ack.event.canceled);
 */
export async function sendControlCommand(dir: string, command: ControlCommand, o: SendOptions = {}): Promise<SendResult> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const pollMs = o.pollMs ?? 20;
  const engine = readEngineInfo(dir);
  if (!engine) return { delivered: false, outcome: 'no-engine', engine: undefined };
  if (!isProcessAlive(engine.pid)) return { delivered: false, outcome: 'engine-not-running', engine };

  const paths = controlPaths(dir);
  // Zero-padded send time first, so the engine's name order is send order across senders.
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${++sequence}`;
  const commandPath = join(paths.commands, `${name}.json`);
  const ackPath = join(paths.acks, `${name}.json`);
  mkdirSync(paths.commands, { recursive: true });
  writeFileSync(join(paths.commands, `${name}.tmp`), JSON.stringify(command) + '\n');
  renameSync(join(paths.commands, `${name}.tmp`), commandPath);

  const start = Date.now();
  let lastAliveCheck = start;
  let outcome: 'timeout' | 'engine-stopped' = 'timeout';
  for (;;) {
    const ack = takeAck(ackPath);
    if (ack) return { delivered: true, outcome: 'answered', engine, ack };
    const now = Date.now();
    if (now - start >= timeoutMs) break;
    if (now - lastAliveCheck >= 250) {
      lastAliveCheck = now;
      if (!stillRegistered(dir, engine)) {
        outcome = 'engine-stopped';
        break;
      }
    }
    await sleep(pollMs);
  }

  const withdrawn = removeIfExists(commandPath);
  if (!withdrawn) {
    // The engine claimed it: it ran or is running. Its answer is usually a moment away.
    const until = Date.now() + (o.claimGraceMs ?? 1000);
    for (;;) {
      const ack = takeAck(ackPath);
      if (ack) return { delivered: true, outcome: 'answered', engine, ack };
      if (Date.now() >= until) break;
      await sleep(pollMs);
    }
  }
  return { delivered: true, outcome, engine, withdrawn, waitedMs: Date.now() - start };
}

/** Read and delete the answer, if it is there (acks are written atomically, so it is whole). */
function takeAck(path: string): ControlAck | undefined {
  const raw = readJsonIfExists(path);
  if (raw === undefined) return undefined;
  removeIfExists(path);
  if (raw === INVALID_JSON) return { ok: false, type: undefined, error: `the engine's answer ${path} is not valid JSON` };
  return raw as ControlAck;
}

function stillRegistered(dir: string, engine: EngineInfo): boolean {
  const now = readEngineInfo(dir);
  return now !== undefined && now.pid === engine.pid && isProcessAlive(engine.pid);
}
