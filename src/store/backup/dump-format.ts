import { closeSync, createReadStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { KeelError, fromJson, toJson } from '../../model/index.ts';
import type { JournalRecord } from '../journal.ts';
import type { AuditRow } from '../audit-table.ts';
import type { BackupItem } from './replay.ts';

/**
 * The logical dump of a journal (`keel-dump`), one JSON value per line:
 *
 *   {"format":"keel-dump","version":2,"source":"…","keelSchemaVersion":2}
 *   ["audit-chain",chainId]
 *   ["event",seq,ts,account,strategy,instrument,type,version,<payload JSON as stored>]
 *   ["snapshot",seq,ts,<state JSON as stored>]
 *   ["audit",seq,ts,actor,origin,action,target,result,reason,details,prevHash,hash]
 *   ["end",events,snapshots,lastSeq,auditRecords]
 *
 * Events come in sequence order (1, 2, 3, … without gaps), then snapshots, then the audit trail's rows in
 * sequence order (store/audit-table.ts), with `details` as a JSON string of the stored text so that every
 * byte the chain hashes comes back as it was. Payloads are embedded as the journal stored them (bigints as
 * {"$n":"…"}), so nothing passes through a float. The closing `end` line makes a truncated file detectable
 * on its own, even without its manifest. Read models are not dumped: they are a fold of the events, and
 * restore rebuilds them by replaying. Version 1 dumps (before the audit trail) have no audit lines and a
 * four-field end line; they are still read.
 */
export const DUMP_FORMAT = 'keel-dump';
export const DUMP_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

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
  private audits = 0;

  /** Creates `path` (which must not exist) and writes the header line and the audit chain's id. */
  constructor(path: string, header: DumpHeader & { readonly auditChainId: string }) {
    this.fd = openSync(path, 'wx');
    this.line(JSON.stringify({ format: DUMP_FORMAT, version: DUMP_VERSION, source: header.source, keelSchemaVersion: header.keelSchemaVersion }));
    this.line(JSON.stringify(['audit-chain', header.auditChainId]));
  }

  audit(r: AuditRow): void {
    this.line(JSON.stringify(['audit', r.seq, r.ts, r.actor, r.origin, r.action, r.target, r.result, r.reason, r.details, r.prevHash, r.hash]));
    this.audits++;
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
  end(): { events: number; snapshots: number; lastSeq: number; auditRecords: number } {
    try {
      this.line(JSON.stringify(['end', this.events, this.snapshots, this.lastSeq, this.audits]));
      this.flush();
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
    return { events: this.events, snapshots: this.snapshots, lastSeq: this.lastSeq, auditRecords: this.audits };
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
  let version = 0;
  let audits = 0;
  let chainSeen = false;
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
        if (typeof h.version !== 'number' || !READABLE_VERSIONS.includes(h.version)) throw bad(`has dump version ${String(h.version)}, this Keel reads ${READABLE_VERSIONS.join(' and ')}`);
        version = h.version;
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
        case 'audit-chain':
          if (version < 2 || chainSeen || events + snapshots + audits > 0 || typeof value[1] !== 'string' || value.length !== 2) throw bad('is not where an audit chain id belongs');
          chainSeen = true;
          yield { kind: 'audit-chain', chainId: value[1] };
          break;
        case 'audit':
          if (!chainSeen) throw bad('is an audit record before the audit chain id');
          audits++;
          yield { kind: 'audit', row: toAuditRow(value, bad) };
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
  if (version >= 2 && (ended[4] !== audits || !chainSeen)) {
    throw bad(`says ${String(ended[4])} audit records, the dump holds ${audits}${chainSeen ? '' : ' and no audit chain id'}`);
  }
}

function toAuditRow(v: unknown[], bad: (why: string) => KeelError): AuditRow {
  const [, seq, ts, actor, origin, action, target, result, reason, details, prevHash, hash] = v;
  const text = (x: unknown) => typeof x === 'string';
  const textOrNull = (x: unknown) => x === null || typeof x === 'string';
  if (v.length !== 12 || !Number.isSafeInteger(seq) || !Number.isSafeInteger(ts) || ![actor, origin, action, result, details, prevHash, hash].every(text) || !textOrNull(target) || !textOrNull(reason)) {
    throw bad('is not an audit record');
  }
  return {
    seq: seq as number, ts: ts as number, actor: actor as string, origin: origin as string, action: action as string, target: target as string | null,
    result: result as string, reason: reason as string | null, details: details as string, prevHash: prevHash as string, hash: hash as string,
  };
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
