import { KeelError } from '../../model/index.ts';

/** A calendar length: `3y`, `6m`, `2w`, `90d`. */
export interface Span {
  readonly count: number;
  readonly unit: 'y' | 'm' | 'w' | 'd';
  readonly text: string;
}

export interface WalkForwardPlan {
  readonly train: Span;
  readonly test: Span;
  /** Anchored: every training window starts at the first bar and grows; rolling (default): it slides. */
  readonly anchored: boolean;
}

/** One walk-forward step, as event indices into the series: train [trainFrom, trainTo), test [testFrom, testTo). */
export interface Window {
  readonly index: number;
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly testFrom: number;
  readonly testTo: number;
}

const FIELD = '--walk-forward';

/**
 * Parse `train=3y,test=6m[,anchored]`.
 *
 * @example parseWalkForward('train=3y,test=6m,anchored') // { train: 3y, test: 6m, anchored: true }
 */
export function parseWalkForward(text: string, field = FIELD): WalkForwardPlan {
  let train: Span | undefined;
  let test: Span | undefined;
  let anchored = false;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === 'anchored') { anchored = true; continue; }
    if (item === 'rolling') { anchored = false; continue; }
    const m = /^(train|test)\s*=\s*(.*)$/.exec(item);
    if (!m) throw new KeelError('BAD_WALK_FORWARD', `does not understand "${item}"`, { field, value: text, hint: 'e.g. train=3y,test=6m or train=3y,test=6m,anchored' });
    const span = parseSpan(m[2], field, text);
    if (m[1] === 'train') train = span; else test = span;
  }
  if (!train || !test) throw new KeelError('BAD_WALK_FORWARD', `needs both train= and test=`, { field, value: text, hint: 'e.g. train=3y,test=6m' });
  return { train, test, anchored };
}

/** `3y` → { count: 3, unit: 'y' }. */
export function parseSpan(text: string, field: string, whole = text): Span {
  const m = /^(\d+)\s*([ymwd])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new KeelError('BAD_WALK_FORWARD', `"${text}" is not a length`, { field, value: whole, hint: 'a positive whole number of y (years), m (months), w (weeks) or d (days), e.g. 3y or 6m' });
  return { count: Number(m[1]), unit: m[2] as Span['unit'], text: text.trim() };
}

/** ts + span in UTC calendar terms; a month end past the target month's last day clamps to it (Jan 31 + 1m = Feb 28/29). */
export function addSpan(ts: number, s: Span): number {
  const d = new Date(ts);
  if (s.unit === 'd' || s.unit === 'w') return ts + s.count * (s.unit === 'd' ? 1 : 7) * 86_400_000;
  const months = s.unit === 'y' ? s.count * 12 : s.count;
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** First index with times[i] ≥ ts (times ascending). */
function lowerBound(times: ArrayLike<number>, ts: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < ts) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Cut the series into windows: the first training window starts at the first bar; each test window starts
 * where its training window ends and lasts `test`; the next window moves on by `test` (rolling: the training
 * window slides along; anchored: it keeps its start and grows). The last test window may be shorter: it ends
 * with the data. Windows whose test part would have fewer than two bars are dropped.
 *
 * @example windowsOf(times, parseWalkForward('train=3y,test=6m')).length // 32 on ORCL 1995–2014
 */
export function windowsOf(times: ArrayLike<number>, plan: WalkForwardPlan): Window[] {
  const out: Window[] = [];
  if (times.length === 0) return out;
  const first = times[0];
  let trainStartTs = first;
  let trainEndTs = addSpan(first, plan.train);
  for (;;) {
    const testEndTs = addSpan(trainEndTs, plan.test);
    const trainFrom = lowerBound(times, trainStartTs);
    const testFrom = lowerBound(times, trainEndTs);
    const testTo = lowerBound(times, testEndTs);
    if (testFrom >= times.length || testTo - testFrom < 2) break;
    out.push({ index: out.length, trainFrom, trainTo: testFrom, testFrom, testTo });
    if (testTo >= times.length) break;
    if (!plan.anchored) trainStartTs = addSpan(trainStartTs, plan.test);
    trainEndTs = testEndTs;
  }
  return out;
}
