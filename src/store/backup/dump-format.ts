import { closeSync, createReadStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { KeelError, fromJson, toJson } from '../../model/index.ts';
import type { JournalRecord } from '../journal.ts';
import type { BackupItem } from './replay.ts';

/**
 * The logical dump of a journal (`keel-dump`), one JSON value per line:
 *
 *   {"format":"keel-dump","version":1,"source":"…","keelSchemaVersion":1}
 *   ["event",seq,ts,account,strategy,instrument,type,version,<payload JSON as stored>]
 *   ["snapshot",seq,ts,<state JSON as stored>]
 *   ["end",events,snapshots,lastSeq]
 *
 * Events come in sequence order (1, 2, 3, … without gaps), then snapshots. Payloads are embedded as the
 * journal stored them (bigints as {"$n":"…"}), so nothing passes through a float. The closing `end` line
 * makes a truncated file detectable on its own, even without its manifest. Read models are not dumped:
 * they are a fold of the events, and restore rebuilds them by replaying.
 */
export const DUMP_FORMAT = 'keel-dump';
export const DUMP_VERSION = 1;

export interface DumpHeader {
  readonly source: string;
  readonly keelSchemaVersion: number;
}

/** Buffered line writer of a dump; `end()` writes the closing line and flushes the file to disk. */
export class DumpWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  private events = 0;
  private snapshots = 0;
  private lastSeq = 0;

  /** Creates `path` (which must not exist) and writes the header line. */
  constructor(path: string, header: DumpHeader) {
    this.fd = openSync(path, 'wx');
    this.line(JSON.stringify({ format: DUMP_FORMAT, version: DUMP_VERSION, source: header.source, keelSchemaVersion: header.keelSchemaVersion }));
  }

  event(seq: number, ts: number, account: string, strategy: string | null, instrument: string | null, type: string, version: string | null, payload: string): void {
    this.line(`${JSON.stringify(['event', seq, ts, account, strategy, instrument, type, version]).slice(0, -1)},${oneLine(payload)}]`);
    this.events++;
    this.lastSeq = seq;
  }

  snapshot(seq: number, ts: number, state: string): void {
    this.line(`${JSON.stringify(['snapshot', seq, ts]).slice(0, -1)},${oneLine(state)}]`);
    this.snapshots++;
  }

  /** Close the dump; returns what it holds. */
  end(): { events: number; snapshots: number; lastSeq: number } {
    try {
      this.line(JSON.stringify(['end', this.events, this.snapshots, this.lastSeq]));
      this.flush();
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
    return { events: this.events, snapshots: this.snapshots, lastSeq: this.lastSeq };
  }

  /** Close without finishing (the caller deletes the file). */
  abandon(): void {
    closeSync(this.fd);
  }

  private line(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.size = 0;
  }
}

/** Stored JSON is written without newlines, but a line break inside would split the record: re-encode then. */
function oneLine(json: string): string {
  return json.includes('\n') || json.includes('\r') ? toJson(fromJson(json)) : json;
}

/**
 * Read a dump back as events and snapshots, checking its shape as it goes. Throws BACKUP_CORRUPT naming the
 * line for anything that is not what `DumpWriter` writes (a checksum-verified dump never is).
 *
 * @example for await (const item of readDump('backups/journal-…-seq42.dump')) console.log(item.kind);
 */
export async function* readDump(path: string): AsyncGenerator<BackupItem> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let ended: unknown[] | undefined;
  let events = 0;
  let snapshots = 0;
  let lastSeq = 0;
  const bad = (why: string) => new KeelError('BACKUP_CORRUPT', `line ${n} ${why}; nothing was restored`, { field: 'backup', value: path });
  try {
    for await (const text of lines) {
      n++;
      let value: unknown;
      try {
        value = fromJson(text);
      } catch {
        throw bad('is not JSON');
      }
      if (n === 1) {
        const h = value as { format?: unknown; version?: unknown };
        if (h?.format !== DUMP_FORMAT) throw bad('is not a keel-dump header');
        if (h.version !== DUMP_VERSION) throw bad(`has dump version ${String(h.version)}, this Keel reads ${DUMP_VERSION}`);
        continue;
      }
      if (ended) throw bad('follows the end line');
      if (!Array.isArray(value)) throw bad('is not a record');
      switch (value[0]) {
        case 'event': {
          events++;
          lastSeq = value[1] as number;
          yield { kind: 'event', record: toRecord(value, bad) };
          break;
        }
        case 'snapshot':
          snapshots++;
          if (!Number.isSafeInteger(value[1]) || !Number.isSafeInteger(value[2])) throw bad('is not a snapshot');
          yield { kind: 'snapshot', snapshot: { seq: value[1] as number, ts: value[2] as number, state: value[3] } };
          break;
        case 'end':
          ended = value;
          break;
        default:
          throw bad(`has an unknown record kind ${JSON.stringify(value[0])}`);
      }
    }
  } finally {
    lines.close();
  }
  if (n === 0) throw bad('is missing: the dump is empty');
  if (!ended) throw bad('is the last one, but the end line is missing: the dump is truncated');
  if (ended[1] !== events || ended[2] !== snapshots || ended[3] !== lastSeq) {
    throw bad(`says ${String(ended[1])} events and ${String(ended[2])} snapshots up to seq ${String(ended[3])}, the dump holds ${events} and ${snapshots} up to ${lastSeq}`);
  }
}

function toRecord(v: unknown[], bad: (why: string) => KeelError): JournalRecord {
  const [, seq, ts, account, strategy, instrument, type, version, payload] = v;
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(ts) || typeof account !== 'string' || typeof type !== 'string' || v.length !== 9) {
    throw bad('is not an event');
  }
  const stream = { account, ...(typeof strategy === 'string' && { strategy }), ...(typeof instrument === 'string' && { instrument }) };
  const base = { seq: seq as number, ts: ts as number, stream, type, payload };
  return typeof version === 'string' ? { ...base, version } : base;
}
