import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { DEFAULT_REDACT_PATHS } from './redact-paths.ts';
import { REDACTED, secretScrubber } from './secret-scrubber.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'; default 'info'. */
  readonly level?: Level | 'silent';
  /** Human-readable lines instead of JSON; default: when stdout is a terminal. */
  readonly pretty?: boolean;
  /** Extra pino redact paths (e.g. 'order.account.number'), added to DEFAULT_REDACT_PATHS. */
  readonly redact?: readonly string[];
  /** Literal secret values to scrub from every line, wherever they appear (empty/undefined entries are skipped). */
  readonly secrets?: readonly (string | undefined)[];
  /** Where lines go; default stdout (synchronous writes). Anything with `write(line)`. */
  readonly destination?: DestinationStream;
  /** The `name` field on every line; default 'keel'. */
  readonly name?: string;
}

/**
 * A structured logger: one JSON object per line (or human lines in a terminal), secrets redacted by field
 * path and by value. Errors logged under `err` or `error` keep their type, message and stack (scrubbed too).
 *
 * Path redaction covers known secret fields (docs/logs.md); value scrubbing covers the rest: a secret pasted
 * into a message, an error from an HTTP client that echoes the request, a config object nested deep.
 *
 * @example
 * const log = createLogger({ level: 'info', secrets: [process.env.APCA_API_SECRET_KEY] });
 * log.info({ venue: 'alpaca', headers: { 'APCA-API-SECRET-KEY': key } }, 'connected'); // header → "[redacted]"
 * orderLogger(log, 'sma-1-42').info({ qty: 10 }, 'submitted');
 */
export function createLogger(o: LoggerOptions = {}): Logger {
  const scrub = secretScrubber(o.secrets ?? []);
  // Synchronous stdout: the lines just before a crash are the ones an operator needs, and an async buffer
  // would lose them. Logging is per order and per incident, not per market event, so the syscall is affordable.
  const sink = o.destination ?? pino.destination({ dest: 1, sync: true });
  const pretty = o.pretty ?? process.stdout.isTTY === true;
  // Colour only when the lines go to our own terminal; a file or a test stream gets plain text.
  const prettify = pretty
    // One line per event: the order's id and event are already in the message, other fields follow inline.
    ? pinoPretty.prettyFactory({
      colorize: o.destination === undefined && process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name,correlationId,event', singleLine: true, messageFormat: withCorrelationId,
    })
    : undefined;
  const destination: DestinationStream = {
    write(line: string) {
      const clean = scrub(line);
      sink.write(prettify ? prettify(clean) : clean);
    },
  };
  return pino({
    name: o.name ?? 'keel',
    level: o.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...DEFAULT_REDACT_PATHS, ...(o.redact ?? [])], censor: REDACTED },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  }, destination);
}

/** A pretty line names its order: the correlation id goes in front of a message that does not already say it. */
function withCorrelationId(log: Record<string, unknown>, messageKey: string): string {
  const msg = String(log[messageKey] ?? '');
  const id = log.correlationId;
  return typeof id === 'string' && !msg.includes(id) ? `[${id}] ${msg}` : msg;
}
