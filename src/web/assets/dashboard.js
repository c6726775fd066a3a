// The live dashboard: reads the API (docs/api.md), follows the event stream, and sends operator actions.
// With users, the session cookie (HttpOnly, set by /login) authenticates every request, each action carries
// the session's CSRF token, and kill, re-arm and limit changes carry a TOTP code typed in their dialog. Without users (the
// legacy mode), actions carry the bearer token the operator typed (kept for this browser tab only).
import { el, fillTable, money, time, equityChart } from './dom.js';

const $ = (id) => document.getElementById(id);
const tokenInput = $('token');
tokenInput.value = sessionStorage.getItem('keel-token') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('keel-token', tokenInput.value));

const session = await fetch('/api/session');
if (session.status === 401) location.replace('/login');
const me = session.ok ? await session.json() : { mode: 'token' };
if (me.mode === 'users') {
  $('who').textContent = `${me.user} (${me.roles.join(', ')})`;
  $('who').hidden = false;
  $('logout').hidden = false;
  for (const e of document.querySelectorAll('.mfa')) e.hidden = false;
} else {
  $('token-label').hidden = false;
}
const chart = equityChart($('chart'));

async function get(path) {
  const r = await fetch(path);
  // The session ended (idle, expired, signed out elsewhere): sign in again.
  if (r.status === 401 && me.mode === 'users') location.replace('/login');
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function say(text, bad = false) {
  $('message').textContent = text;
  $('message').className = bad ? 'neg' : 'muted';
}

async function act(path, body, totp) {
  const auth = me.mode === 'users' ? { 'x-keel-csrf': me.csrf } : { authorization: `Bearer ${tokenInput.value}` };
  const r = await fetch(path, {
    method: 'POST', headers: { ...auth, ...(totp ? { 'x-keel-totp': totp } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await r.json().catch(() => ({ message: `HTTP ${r.status}` }));
  if (r.status === 401 && me.mode === 'token') say('Refused: the API token is missing or wrong (type it at the top right).', true);
  else if (r.status === 401 && answer.missing === 'authentication') location.replace('/login');
  else if (r.status >= 400 && r.status < 500 && r.status !== 409) say(`Refused: ${answer.error ?? answer.message}`, true);
  else say(answer.message ?? answer.error, r.status !== 200 && r.status !== 202); // 202: a four-eyes request, waiting
  await refresh();
  return r.ok;
}

function showStatus(s) {
  $('account').textContent = `${s.account} · ${s.mode} · ${s.venue}`;
  $('state').textContent = s.tradingState;
  $('state').className = `state ${s.tradingState}`;
  $('state').title = s.stateReason;
  $('venue').textContent = `venue ${s.venue}: ${s.venueConnected ? 'connected' : 'DISCONNECTED'} · journal ${s.journal.kind} ${s.journal.healthy ? 'ok' : 'FAILED'} (${s.journal.pendingAppends} pending) · ${s.marketEvents} market events`;
  // Active/standby: which node trades, under which fencing epoch, and how far behind each standby is.
  const ha = s.ha;
  $('ha').hidden = !ha;
  if (ha) {
    const standbys = ha.standbys.length === 0 ? 'no standby reporting'
      : ha.standbys.map((x) => `standby ${x.node}: ${x.lagEvents} events behind, seen ${Math.round(x.heartbeatAgoMs / 100) / 10} s ago`).join(' · ');
    $('ha').textContent = `${ha.role === 'active' ? 'active' : 'STEPPED DOWN'}: node ${ha.node} · epoch ${ha.epoch} · lease renewed ${ha.renewedAgoMs ?? '?'} ms ago · ${standbys}`;
    $('ha').className = ha.role === 'active' && ha.standbys.length > 0 ? 'muted' : 'warn';
  }
  fillTable($('strategies'), [
    ['strategy', (x) => x.id], ['version', (x) => x.version.slice(0, 24)], ['state', (x) => (x.paused ? 'paused' : 'running')],
    ['', (x) => el('button', { onclick: () => act(`/api/strategies/${encodeURIComponent(x.id)}/${x.paused ? 'resume' : 'pause'}`) }, x.paused ? 'Resume' : 'Pause')],
  ], s.strategies);
}

function showPnl(p) {
  const card = (label, value, cls = '') => el('div', { class: 'card' }, label, el('b', { class: cls }, value));
  const sign = (x) => (Number(x) < 0 ? 'neg' : 'pos');
  $('cards').replaceChildren(
    card('Equity', money(p.equity)), card('Cash', money(p.cash)), card('Realized PnL', money(p.realized), sign(p.realized)),
    card('Unrealized PnL', money(p.unrealized), sign(p.unrealized)), card('Today', money(p.daily), sign(p.daily)),
    card('Drawdown', `${p.drawdownPct.toFixed(2)}%`, p.drawdownPct > 0 ? 'neg' : ''),
  );
}

function showPositions(list) {
  fillTable($('positions'), [
    ['instrument', (x) => x.instrument], ['quantity', (x) => x.quantity], ['avg price', (x) => (x.averagePrice == null ? '–' : money(x.averagePrice, 4))],
    ['last', (x) => (x.lastPrice == null ? '–' : money(x.lastPrice, 4))], ['unrealized', (x) => money(x.unrealizedPnl)], ['realized', (x) => money(x.realizedPnl)],
  ], list, 'flat');
}

async function refresh() {
  try {
    const [status, pnl, positions, orders, fills, risk, alerts] = await Promise.all([
      get('/api/status'), get('/api/pnl'), get('/api/positions'), get('/api/orders?open=true'), get('/api/fills?limit=20'), get('/api/risk'), get('/api/alerts?limit=20'),
    ]);
    showStatus(status);
    showPnl(pnl);
    chart.set(await get('/api/equity?points=2000'));
    showPositions(positions);
    fillTable($('orders'), [
      ['order', (x) => x.clientOrderId], ['side', (x) => x.side], ['qty', (x) => `${x.filledQuantity}/${x.quantity}`], ['type', (x) => x.type],
      ['limit', (x) => x.limitPrice ?? ''], ['status', (x) => x.status],
      ['', (x) => el('button', { onclick: () => act(`/api/orders/${encodeURIComponent(x.clientOrderId)}/cancel`) }, 'Cancel')],
    ], orders);
    fillTable($('fills'), [
      ['time', (x) => time(x.ts)], ['order', (x) => x.clientOrderId], ['side', (x) => x.side], ['qty', (x) => x.quantity], ['price', (x) => x.price],
      ['slippage', (x) => (x.slippage == null ? '' : money(x.slippage))],
    ], fills);
    $('risk-reason').textContent = risk.reason || 'no restriction';
    $('risk-limits').textContent = risk.limits ?? 'no limits configured (structural checks only)';
    fillTable($('breakers'), [['breaker', (x) => x.name], ['action', (x) => x.action], ['state', (x) => (x.tripped ? 'TRIPPED' : 'armed')], ['limit used', (x) => (x.usedPct === null || x.usedPct === undefined ? '' : `${x.usedPct.toFixed(0)}%`)]], risk.breakers, 'no breakers configured');
    fillTable($('denials'), [['denied by', (x) => x.check], ['orders', (x) => x.count]], risk.denials, 'no denials');
    fillTable($('alerts'), [['time', (x) => time(x.ts)], ['severity', (x) => x.severity], ['alert', (x) => x.title], ['detail', (x) => x.detail]], alerts, 'no alerts');
    await showRollout();
  } catch (e) {
    say(`cannot read the engine: ${e.message}`, true);
  }
}

/** The staged rollout (docs/lifecycle.md): stage, versions, the shadow's comparison with the live orders, the steps so far. */
async function showRollout() {
  const r = await get('/api/rollout');
  $('rollout-section').hidden = !r.available;
  if (!r.available) return;
  const intents = (list) => list.map((i) => `${i.side} ${i.quantity}`).join(', ') || '–';
  $('rollout-stage').textContent = `stage: ${r.stage}${r.fraction == null ? '' : ` (canary at ${r.fraction * 100}% of the size)`}`;
  fillTable($('rollout-versions'), [['role', (x) => x.role], ['strategy', (x) => x.strategyId], ['version', (x) => x.versionId]],
    [{ role: 'live', ...r.live }, ...(r.candidate ? [{ role: r.stage === 'rolled-back' ? 'rolled back' : r.stage, ...r.candidate }] : [])]);
  $('rollout-shadow').textContent = r.shadow == null ? 'no candidate version' : `shadow agreed on ${r.shadow.agreed} of ${r.shadow.decisions} decisions`
    + `${r.shadow.agreementPct == null ? '' : ` (${r.shadow.agreementPct}%)`}${r.canary ? `; canary position ${r.canary.lots} lots, loss ${money(r.canary.loss)}${r.canary.maxLoss == null ? '' : ` of ${money(r.canary.maxLoss)}`}` : ''}`;
  fillTable($('rollout-decisions'), [['time', (x) => time(x.ts)], ['live orders', (x) => intents(x.live)], ['shadow orders', (x) => intents(x.shadow)], ['', (x) => (x.agree ? 'agree' : 'DIFFER')]],
    (r.shadow?.recent ?? []).slice(-10).reverse(), 'no decisions compared yet');
  fillTable($('rollout-history'), [['time', (x) => time(x.ts)], ['step', (x) => `${x.from} → ${x.to}`], ['by', (x) => x.by], ['reason', (x) => x.reason]], r.history, 'no rollout steps');
}

let refreshTimer;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 150);
}

function connect(delay = 500) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/stream`);
  ws.onopen = () => { $('stream').textContent = 'live'; delay = 500; };
  ws.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.kind === 'summary') {
      showPnl(e.pnl);
      showPositions(e.positions);
      chart.add({ ts: e.ts, equity: e.pnl.equity, drawdownPct: e.pnl.drawdownPct });
    } else {
      refreshSoon();
    }
  };
  ws.onclose = () => {
    $('stream').textContent = 'disconnected: reconnecting…';
    setTimeout(() => connect(Math.min(delay * 2, 10_000)), delay);
  };
}

$('kill').addEventListener('click', () => {
  $('kill-confirm').value = '';
  $('kill-totp').value = '';
  $('kill-dialog').showModal();
});
$('kill-go').addEventListener('click', async (ev) => {
  ev.preventDefault();
  if ($('kill-confirm').value !== 'KILL') { say('Kill switch not pulled: type KILL to confirm.', true); return; }
  const totp = $('kill-totp').value.trim();
  if (me.mode === 'users' && !/^\d{6}$/.test(totp)) { say('Kill switch not pulled: type the 6-digit code from your authenticator app.', true); return; }
  const reason = $('kill-reason').value.trim() || 'dashboard kill switch';
  $('kill-dialog').close();
  await act('/api/kill', { reason, flatten: $('kill-flatten').checked }, totp);
});
$('kill-cancel').addEventListener('click', () => say('Kill switch not pulled.'));
$('rearm').addEventListener('click', () => {
  $('rearm-totp').value = '';
  $('rearm-text').textContent = me.fourEyesRearm
    ? 'Four-eyes: the first risk user asks, a different risk user confirms within the window. Trading resumes and every breaker is re-armed.'
    : 'Trading resumes and every breaker is re-armed.';
  $('rearm-dialog').showModal();
});
$('rearm-go').addEventListener('click', async (ev) => {
  ev.preventDefault();
  const reason = $('rearm-reason').value.trim();
  if (!reason) { say('Not re-armed: give a reason.', true); return; }
  const totp = $('rearm-totp').value.trim();
  if (me.mode === 'users' && !/^\d{6}$/.test(totp)) { say('Not re-armed: type the 6-digit code from your authenticator app.', true); return; }
  $('rearm-dialog').close();
  await act('/api/rearm', { reason }, totp);
});
$('rearm-cancel').addEventListener('click', () => say('Not re-armed.'));
$('limits').addEventListener('click', async () => {
  $('limits-totp').value = '';
  $('limits-text').value = (await get('/api/risk')).limits ?? '';
  $('limits-dialog').showModal();
});
$('limits-go').addEventListener('click', async (ev) => {
  ev.preventDefault();
  const reason = $('limits-reason').value.trim();
  if (!reason) { say('Limits not changed: give a reason.', true); return; }
  const totp = $('limits-totp').value.trim();
  if (me.mode === 'users' && !/^\d{6}$/.test(totp)) { say('Limits not changed: type the 6-digit code from your authenticator app.', true); return; }
  $('limits-dialog').close();
  await act('/api/risk/limits', { yaml: $('limits-text').value, reason }, totp);
});
$('limits-cancel').addEventListener('click', () => say('Limits not changed.'));
$('logout').addEventListener('click', async () => {
  await fetch('/api/logout', { method: 'POST', headers: { 'x-keel-csrf': me.csrf ?? '' } });
  location.replace('/login');
});
$('cancel-all').addEventListener('click', async () => {
  if (confirm('Cancel every working order?')) await act('/api/orders/cancel-all');
});

$('rollout-promote').addEventListener('click', async () => {
  if (confirm('Promote the candidate version (shadow to canary, canary to full)?')) await act('/api/rollout/promote', {});
});
$('rollout-rollback').addEventListener('click', async () => {
  const reason = prompt('Roll back to the live version. Reason?');
  if (reason) await act('/api/rollout/rollback', { reason });
});

refresh();
connect();
setInterval(refresh, 5000);
