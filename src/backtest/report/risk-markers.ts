/**
 * Risk events on the equity chart, so a reader sees where the risk gate stopped or slowed trading and
 * can read the equity curve around it: breaker trips (arrows coloured by what the breaker did), kill-switch
 * activations (squares), and state changes made by an operator or a restart (circles: a resume to ACTIVE
 * has no trip to mark it otherwise). Changes caused by a breaker or the kill switch are not marked twice.
 * The periods spent REDUCING or HALTED are also shaded behind the curve (`tradingStateSpans`).
 */
import type { RiskRecord } from '../result.ts';
import { indexAtOrBefore, MAX_LABELLED_MARKERS } from './markers.ts';
import { isoToMs } from './time.ts';

/** The subset of lightweight-charts' `SeriesMarker` used for risk events, with UTC-second times. */
export interface RiskMarker {
  readonly time: number;
  readonly position: 'aboveBar';
  readonly shape: 'arrowDown' | 'square' | 'circle';
  readonly color: string;
  readonly text?: string;
}

type State = RiskRecord['finalState'];

/** One colour per trading state for markers and action labels; the page's badges and shading use the same hues. */
export const STATE_COLORS: Readonly<Record<State, string>> = { ACTIVE: '#16a34a', REDUCING: '#d97706', HALTED: '#dc2626' };
export const KILL_COLOR = '#7f1d1d';

/** A breaker's colour is that of the state its action leads to; `kill` is darker than a plain halt. */
export function breakerColor(action: string): string {
  if (action === 'reduce') return STATE_COLORS.REDUCING;
  if (action === 'halt') return STATE_COLORS.HALTED;
  return KILL_COLOR;
}

/**
 * True for state changes made by an operator or a restart rather than a breaker or the kill switch (whose
 * trip or activation is marked already). Reads the `by` text the risk log writes ("breaker daily-loss",
 * "kill switch (alice)", "operator alice").
 *
 * @example
 * setByOperator('operator alice'); // true
 */
export function setByOperator(by: string): boolean {
  return !by.startsWith('breaker ') && !by.startsWith('kill switch');
}

/**
 * Builds the equity chart's risk markers, snapped to the curve point holding each event (the curve may be
 * downsampled) and sorted by time, as lightweight-charts requires.
 *
 * @example
 * riskMarkers(result.risk, data.curve.time);
 * // [{ time: 1704153600, position: 'aboveBar', shape: 'arrowDown', color: '#dc2626', text: 'daily-loss: halt' }]
 */
export function riskMarkers(risk: RiskRecord, curveTimes: readonly number[]): RiskMarker[] {
  if (curveTimes.length === 0) return [];
  const raw: { ms: number; shape: RiskMarker['shape']; color: string; label: string }[] = [];
  for (const t of risk.breakerTrips) raw.push({ ms: isoToMs(t.time), shape: 'arrowDown', color: breakerColor(t.action), label: `${t.breaker}: ${t.action}` });
  for (const k of risk.killSwitch) raw.push({ ms: isoToMs(k.time), shape: 'square', color: KILL_COLOR, label: 'Kill switch' });
  for (const c of risk.stateChanges) {
    if (!setByOperator(c.by)) continue;
    raw.push({ ms: isoToMs(c.time), shape: 'circle', color: stateColor(c.to), label: `→ ${c.to}` });
  }
  const labelled = raw.length <= MAX_LABELLED_MARKERS;
  // Stable sort: a breaker's trip stays before the kill switch it set off.
  raw.sort((a, b) => a.ms - b.ms);
  return raw.map((m) => {
    const marker: RiskMarker = {
      time: curveTimes[indexAtOrBefore(curveTimes, Math.floor(m.ms / 1000))],
      position: 'aboveBar',
      shape: m.shape,
      color: m.color,
    };
    return labelled ? { ...marker, text: m.label } : marker;
  });
}

/** Where the trading state changed on the curve's time axis: `state[i]` holds from `time[i]` on. */
export interface TradingStateSpans {
  readonly time: number[];
  readonly state: State[];
}

/**
 * The trading state over the curve as change points, starting at the curve's first point. Several changes
 * inside one curve point keep the last, so the shading shows where each point ended up.
 *
 * @example
 * tradingStateSpans(result.risk, data.curve.time); // { time: [1704067200, 1704153600], state: ['ACTIVE', 'HALTED'] }
 */
export function tradingStateSpans(risk: RiskRecord, curveTimes: readonly number[]): TradingStateSpans {
  const out: TradingStateSpans = { time: [], state: [] };
  if (curveTimes.length === 0) return out;
  out.time.push(curveTimes[0]);
  out.state.push(asState(risk.stateChanges[0]?.from ?? risk.finalState));
  for (const c of risk.stateChanges) {
    const time = curveTimes[indexAtOrBefore(curveTimes, Math.floor(isoToMs(c.time) / 1000))];
    const last = out.time.length - 1;
    if (out.time[last] === time) out.state[last] = asState(c.to);
    else {
      out.time.push(time);
      out.state.push(asState(c.to));
    }
  }
  return out;
}

function asState(s: string): State {
  return s === 'REDUCING' || s === 'HALTED' ? s : 'ACTIVE';
}

function stateColor(s: string): string {
  return STATE_COLORS[asState(s)];
}
