/**
 * Named places where the crash tests kill the engine (KEEL_CRASH_AT=point:n kills it with SIGKILL at the
 * n-th time it passes `point`): between journaling an intent and sending it, right after a fill arrives
 * and before it is journaled, and so on. Outside tests the variable is unset and this costs one branch.
 */
export type CrashPoint =
  | 'intent-journaled'      // the intent is durable, the request not yet handed to the venue
  | 'request-sent'          // handed to the venue, no answer yet
  | 'report-received'       // a venue report arrived, not yet applied or journaled
  | 'report-applied'        // applied in memory, its journal append not yet durable
  | 'market-event'          // between two market events
  | 'snapshot-captured';    // an engine snapshot taken in memory, not yet saved

const spec = process.env.KEEL_CRASH_AT;
const target = spec ? { point: spec.split(':')[0], hit: Number(spec.split(':')[1] ?? '1') } : undefined;
let hits = 0;

export function crashPoint(point: CrashPoint): void {
  if (target === undefined || target.point !== point) return;
  if (++hits === target.hit) process.kill(process.pid, 'SIGKILL');
}
