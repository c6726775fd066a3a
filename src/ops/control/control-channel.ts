import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { assertNever, KeelError } from '../../model/index.ts';
import { parseControlCommand, type ControlAck, type ControlCommand } from './control-command.ts';
import type { ControlHandler } from './control-handler.ts';
import {
  controlPaths, INVALID_JSON, isNotFound, isProcessAlive, readEngineInfo, readJsonIfExists, removeIfExists, writeJsonAtomic,
  type ControlPaths, type EngineInfo,
} from './control-dir.ts';

/**
 * The engine's end of the control directory. The engine core is synchronous (a backtest never yields to the
 * event loop), so commands are files picked up by a synchronous `poll()` rather than messages on a socket.
 *
 * A command's life: the sender writes `commands/N.tmp` and renames it to `N.json`; `poll()` claims it by
 * renaming it to `N.claimed` (a sender withdrawing it after a timeout deletes `N.json`, and only one of the
 * two renames/deletes can win, so a withdrawn command is never executed), runs it, writes `acks/N.json`,
 * and deletes the claim.
 *
 * @example
 * const channel = new ControlChannel('run/control', controlHandlerFor(risk), { description: 'paper sma-cross' });
 * channel.open();
 * // ... channel.poll() from a ControlPoller, while the engine runs ...
 * channel.close();
 */
export class ControlChannel {
  readonly dir: string;
  private readonly paths: ControlPaths;
  private readonly handler: ControlHandler;
  private readonly description: string;
  private info: EngineInfo | undefined;

  constructor(dir: string, handler: ControlHandler, o: { description?: string } = {}) {
    this.dir = dir;
    this.paths = controlPaths(dir);
    this.handler = handler;
    this.description = o.description ?? 'keel engine';
  }

  /** The registration written to engine.json (undefined until `open()`). */
  get engine(): EngineInfo | undefined {
    return this.info;
  }

  /**
   * Register this process as the directory's engine. Refuses a directory another live engine owns: two
   * engines answering the same kill would each believe the other's acks.
   */
  open(): void {
    if (this.info) throw new Error('control channel is already open');
    const owner = readEngineInfo(this.dir);
    if (owner && owner.pid !== process.pid && isProcessAlive(owner.pid)) {
      throw new KeelError('CONTROL_DIR_IN_USE', `is in use by engine pid ${owner.pid} (${owner.description}, started ${owner.startedAt})`, {
        field: 'control directory', value: this.dir, hint: `stop that engine or use another directory; delete ${this.paths.engine} if pid ${owner.pid} is not a Keel engine`,
      });
    }
    mkdirSync(this.paths.commands, { recursive: true });
    mkdirSync(this.paths.acks, { recursive: true });
    this.answerLeftovers();
    this.info = { pid: process.pid, startedAt: new Date().toISOString(), description: this.description };
    writeJsonAtomic(this.paths.engine, this.info);
  }

  /**
   * Run every waiting command, in name (= send) order. Returns how many were handled. A malformed command
   * gets an error ack; a handler that throws a non-KeelError (a bug) gets an error ack too, then the error is
   * rethrown so it crashes loudly, with the operator already told.
   */
  poll(): number {
    if (!this.info) throw new Error('control channel is not open');
    let files: string[];
    try {
      files = readdirSync(this.paths.commands);
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
    files.sort(); // readdir order is unspecified; names start with a zero-padded send time
    let handled = 0;
    for (const file of files) {
      if (!file.endsWith('.json')) continue;
      const name = file.slice(0, -'.json'.length);
      const claimed = join(this.paths.commands, `${name}.claimed`);
      try {
        renameSync(join(this.paths.commands, file), claimed);
      } catch (err) {
        if (isNotFound(err)) continue; // withdrawn by its sender a moment ago
        throw err;
      }
      this.execute(name, claimed);
      handled++;
    }
    return handled;
  }

  /** Unregister (engine.json goes, so senders see no engine). Leaves state.json: it must outlive the process. */
  close(): void {
    if (!this.info) return;
    this.info = undefined;
    // Remove only our own registration: a successor may already have taken the directory over.
    if (readEngineInfo(this.dir)?.pid === process.pid) removeIfExists(this.paths.engine);
  }

  private execute(name: string, claimed: string): void {
    let ack: ControlAck;
    let bug: unknown;
    let type: string | undefined;
    try {
      const raw = readJsonIfExists(claimed);
      if (raw === INVALID_JSON || raw === undefined) throw new KeelError('BAD_COMMAND', 'is not valid JSON', { field: `command ${name}` });
      const t = (raw as { type?: unknown } | null)?.type;
      type = typeof t === 'string' ? t : undefined;
      ack = this.run(parseControlCommand(raw));
    } catch (err) {
      ack = { ok: false, type, error: err instanceof Error ? err.message : String(err) };
      if (!(err instanceof KeelError)) bug = err;
    }
    writeJsonAtomic(join(this.paths.acks, `${name}.json`), ack);
    removeIfExists(claimed);
    if (bug !== undefined) throw bug;
  }

  private run(cmd: ControlCommand): ControlAck {
    switch (cmd.type) {
      case 'kill': {
        const req = { by: `operator ${cmd.by}`, reason: cmd.reason };
        const event = this.handler.kill(cmd.flatten === undefined ? req : { ...req, flatten: cmd.flatten });
        return { ok: true, type: 'kill', event, status: this.handler.status() };
      }
      case 'rearm': {
        const changed = this.handler.rearm(cmd.by, cmd.reason);
        return { ok: true, type: 'rearm', changed, status: this.handler.status() };
      }
      case 'status':
        return { ok: true, type: 'status', status: this.handler.status(), engine: this.info! };
      default:
        return assertNever(cmd, 'control command');
    }
  }

  /**
   * Commands left over from before this engine started were meant for a previous process (whose sender
   * crashed before withdrawing them). Executing them now, possibly hours later, would surprise everyone, so
   * they are answered with an error instead.
   */
  private answerLeftovers(): void {
    for (const file of readdirSync(this.paths.commands)) {
      const leftover = file.endsWith('.json') ? 'json' : file.endsWith('.claimed') ? 'claimed' : undefined;
      if (!leftover) continue;
      const name = file.slice(0, file.lastIndexOf('.'));
      const ack = join(this.paths.acks, `${name}.json`);
      if (leftover === 'json') {
        writeJsonAtomic(ack, { ok: false, type: undefined, error: 'sent before this engine started; not executed' } satisfies ControlAck);
      } else if (readJsonIfExists(ack) === undefined) {
        writeJsonAtomic(ack, { ok: false, type: undefined, error: 'the previous engine stopped while executing it; its outcome is unknown (check keel status)' } satisfies ControlAck);
      }
      removeIfExists(join(this.paths.commands, file));
    }
  }
}
