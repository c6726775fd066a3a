/**
 * The Risk section: what the pre-trade risk gate did during the run, so a reader can tell a strategy that
 * lost money from one that was stopped from trading. It shows the final trading state, where the limits came
 * from, denials per check, breaker trips, trading-state changes, kill-switch activations and the first
 * denials one by one. A run where nothing happened gets one line instead of empty tables.
 */
import type { BreakerTripRecord, DenialRecord, KillSwitchRecord, RiskRecord, StateChangeRecord } from '../result.ts';
import { escapeHtml } from './escape.ts';
import { formatCount, formatPercent } from './format.ts';
import { breakerColor, KILL_COLOR, setByOperator } from './risk-markers.ts';
import { formatTime, isoToMs, type TimeScale } from './time.ts';

export const QUIET_LINE = 'No denials, no breaker trips; trading stayed ACTIVE.';

/**
 * True when the risk gate never intervened: nothing to show beyond one line.
 *
 * @example
 * riskIsQuiet(result.risk); // true for a run without denials, trips, state changes or kill switch
 */
export function riskIsQuiet(risk: RiskRecord): boolean {
  return (
    risk.denialsTotal === 0 && risk.breakerTrips.length === 0 && risk.stateChanges.length === 0 && risk.killSwitch.length === 0 && risk.finalState === 'ACTIVE'
  );
}

/**
 * A trading state as a coloured badge: ACTIVE green, REDUCING amber, HALTED red (anything else grey).
 *
 * @example
 * stateBadgeHtml('HALTED'); // '<span class="badge halted">HALTED</span>'
 */
export function stateBadgeHtml(state: string): string {
  const cls = state === 'ACTIVE' || state === 'REDUCING' || state === 'HALTED' ? state.toLowerCase() : 'unknown';
  return `<span class="badge ${cls}">${escapeHtml(state)}</span>`;
}

/**
 * Renders the inside of the Risk section.
 *
 * @example
 * riskSectionHtml(result.risk, 'daily'); // '<div class="risk-status"><span class="badge active">ACTIVE</span>…'
 */
export function riskSectionHtml(risk: RiskRecord, scale: TimeScale): string {
  const source = `<span class="note-inline">Limits: ${risk.config === null ? 'built-in defaults' : `<code>${escapeHtml(risk.config)}</code>`}.</span>`;
  if (riskIsQuiet(risk)) return `<p class="risk-status">${stateBadgeHtml('ACTIVE')} ${escapeHtml(QUIET_LINE)} ${source}</p>`;
  const status = `<div class="risk-status">${stateBadgeHtml(risk.finalState)}<span>final trading state</span>${source}</div>`;
  return [
    status,
    countersHtml(risk),
    denialsByCheckHtml(risk),
    risk.breakerTrips.length === 0 ? '' : `<h3>Breaker trips</h3>${breakerTripsHtml(risk.breakerTrips, scale)}`,
    risk.stateChanges.length === 0 ? '' : `<h3>Trading-state changes</h3>${stateChangesHtml(risk.stateChanges, scale)}`,
    risk.killSwitch.length === 0 ? '' : `<h3>Kill switch</h3>${killSwitchHtml(risk.killSwitch, scale)}`,
    denialListHtml(risk, scale),
  ].join('');
}

/**
 * The key under the equity chart for the risk markers and shading it shows, or '' when it shows none.
 *
 * @example
 * equityRiskKeyHtml(result.risk); // '<p class="note"><span class="key"><i style="color:#dc2626">▼</i> breaker trip (halt)</span>…'
 */
export function equityRiskKeyHtml(risk: RiskRecord): string {
  const keys: string[] = [];
  for (const action of ['reduce', 'halt', 'kill']) {
    if (risk.breakerTrips.some((t) => t.action === action)) keys.push(key('▼', breakerColor(action), `breaker trip (${action})`));
  }
  if (risk.killSwitch.length > 0) keys.push(key('■', KILL_COLOR, 'kill switch'));
  if (risk.stateChanges.some((c) => setByOperator(c.by))) keys.push(key('●', '#64748b', 'state set by operator (in the new state’s colour)'));
  const visited = new Set(risk.stateChanges.map((c) => c.to));
  if (risk.stateChanges.length === 0) visited.add(risk.finalState);
  if (visited.has('REDUCING')) keys.push(`<span class="key"><i class="shade reducing"></i> REDUCING</span>`);
  if (visited.has('HALTED')) keys.push(`<span class="key"><i class="shade halted"></i> HALTED</span>`);
  return keys.length === 0 ? '' : `<p class="note">${keys.join('')}</p>`;
}

function key(symbol: string, color: string, label: string): string {
  return `<span class="key"><i style="color:${color}">${symbol}</i> ${escapeHtml(label)}</span>`;
}

function countersHtml(risk: RiskRecord): string {
  const items: [string, number][] = [
    ['Denials', risk.denialsTotal],
    ['Breaker trips', risk.breakerTrips.length],
    ['State changes', risk.stateChanges.length],
    ['Kill switch', risk.killSwitch.length],
  ];
  const cells = items.map(([label, n]) => `<div class="counter"><b>${escapeHtml(formatCount(n))}</b><span>${label}</span></div>`);
  return `<div class="counters">${cells.join('')}</div>`;
}

/** A bordered, scrolling table; `head` cells ending in '#' are right-aligned numbers. */
function table(cls: string, head: readonly string[], rows: readonly string[]): string {
  const th = head.map((h) => (h.endsWith('#') ? `<th scope="col" class="num">${h.slice(0, -1)}</th>` : `<th scope="col">${h}</th>`)).join('');
  return `<div class="scroll"><table class="trades ${cls}"><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** Daily data shows dates, but an operator's or the kill switch's action between bars keeps its clock time. */
function eventTime(iso: string, scale: TimeScale): string {
  return formatTime(iso, isoToMs(iso) % 86_400_000 === 0 ? scale : 'intraday');
}

const td = (text: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;

function denialsByCheckHtml(risk: RiskRecord): string {
  const entries = Object.entries(risk.denialsByCheck);
  if (entries.length === 0) return '';
  const rows = entries.map(
    ([check, n]) => `<tr>${td(check, 'mono')}${td(formatCount(n), 'num')}${td(formatPercent(risk.denialsTotal === 0 ? null : n / risk.denialsTotal, 1), 'num')}</tr>`,
  );
  return `<h3>Denials by check</h3><div class="narrow">${table('risk-checks', ['Check', 'Denials#', 'Share#'], rows)}</div>`;
}

function breakerTripsHtml(trips: readonly BreakerTripRecord[], scale: TimeScale): string {
  const rows = trips.map(
    (t) => `<tr>${td(eventTime(t.time, scale))}${td(t.breaker, 'mono')}${td(t.reason, 'wrap')}<td>${actionHtml(t.action)}</td></tr>`,
  );
  return table('risk-trips', ['Time', 'Breaker', 'Reason', 'Action'], rows);
}

/** The action with the state it leads to, coloured like the marker on the equity chart. */
function actionHtml(action: string): string {
  const leadsTo = action === 'reduce' ? ' → REDUCING' : action === 'halt' ? ' → HALTED' : action === 'kill' ? ' → kill switch' : '';
  return `<b style="color:${breakerColor(action)}">${escapeHtml(action)}</b>${leadsTo}`;
}

function stateChangesHtml(changes: readonly StateChangeRecord[], scale: TimeScale): string {
  const rows = changes.map(
    (c) => `<tr>${td(eventTime(c.time, scale))}<td>${stateBadgeHtml(c.from)} → ${stateBadgeHtml(c.to)}</td>${td(c.by)}${td(c.reason, 'wrap')}</tr>`,
  );
  return table('risk-states', ['Time', 'Change', 'By', 'Reason'], rows);
}

function killSwitchHtml(kills: readonly KillSwitchRecord[], scale: TimeScale): string {
  const rows = kills.map((k) => {
    const notFlattened = k.notFlattened.length === 0 ? '—' : k.notFlattened.map(escapeHtml).join('<br>');
    return (
      `<tr>${td(eventTime(k.time, scale))}${td(k.by)}${td(k.reason, 'wrap')}${td(formatCount(k.canceled), 'num')}` +
      `${td(formatCount(k.flattenOrders), 'num')}<td class="wrap">${notFlattened}</td></tr>`
    );
  });
  return table('risk-kills', ['Time', 'By', 'Reason', 'Canceled#', 'Flatten orders#', 'Not flattened'], rows);
}

function denialListHtml(risk: RiskRecord, scale: TimeScale): string {
  if (risk.denials.length === 0) return '';
  const rows = risk.denials.map((d: DenialRecord) => `<tr>${td(eventTime(d.time, scale))}${td(d.clientOrderId, 'mono')}${td(d.check, 'mono')}${td(d.reason, 'wrap')}</tr>`);
  const capped = risk.denials.length < risk.denialsTotal;
  const title = capped ? `First ${formatCount(risk.denials.length)} denials` : 'Denials';
  const note = capped
    ? `<p class="note">Showing ${formatCount(risk.denials.length)} of ${formatCount(risk.denialsTotal)} denials (result.json keeps the first ${formatCount(risk.listLimit)}); the counts above include all of them.</p>`
    : '';
  return `<h3>${title}</h3>${table('risk-denials', ['Time', 'Order', 'Check', 'Reason'], rows)}${note}`;
}
