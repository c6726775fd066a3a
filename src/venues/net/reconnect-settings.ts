import * as z from 'zod';

/**
 * The `reconnect:` block every connection-holding venue config takes (Alpaca's streams, FIX, IB): exponential
 * backoff with full jitter between `baseMs` and `maxMs` (see backoff.ts), and how many failed connections in a
 * row end the session for good (default: never; the engine keeps trying while the venue is down).
 */
export const reconnectSettingsSchema = z.strictObject({
  baseMs: z.number().int().min(1).default(500),
  maxMs: z.number().int().min(1).default(30_000),
  /** Failed connections in a row before the venue reports itself disconnected for good (default: never). */
  maxAttempts: z.number().int().min(1).optional(),
}).prefault({});
