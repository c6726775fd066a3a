// The live dashboard: reads the API (docs/api.md), follows the event stream, and sends operator actions
// with the bearer token the operator typed (kept for this browser tab only).
import { el, fillTable, money, time, equityChart } from './dom.js';

const $ = (id) => document.getElementById(id);
const tokenInput = $('token');
tokenInput.value = sessionStorage.getItem('keel-token') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('keel-token', tokenInput.value));
const chart = equityChart($('chart'));

async function get(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function say(text, bad = false) {
  $('message').textContent = text;
  $('message').className = bad ? 'neg' : 'muted';
}

async function act(path, body) {
  const r = await fetch(path, {
    method: 'POST', headers: { authorization: `Bearer ${tokenInput.value}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await r.json().catch(() => ({ message: `HTTP ${r.status}` }));
  if (r.status === 401) say('Refused: the API token is missing or wrong (type it at the top right).', true);
  else if (r.status === 403) say(`Refused: ${answer.message ?? answer.error}`, true);
  else say(answer.message ?? answer.error, !r.ok);
  await refresh();
  return r.ok;
}

function showStatus(s) {
  $('account').textContent = `${s.account} · ${s.mode} · ${s.venue}`;
  $('state').textContent = s.tradingState;
  $('state').className = `state ${s.tradingState}`;
  $('state').title = s.stateReason;
  $('venue').textContent = `venue ${s.venue}: ${s.venueConnected ? 'connected' : 'DISCONNECTED'} · journal ${s.journal.kind} ${s.journal.healthy ? 'ok' : 'FAILED'} (${s.journal.pendingAppends} pending) · ${s.marketEvents} market events`;
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
    fillTable($('breakers'), [['breaker', (x) => x.name], ['action', (x) => x.action], ['state', (x) => (x.tripped ? 'TRIPPED' : 'armed')], ['limit used', (x) => (x.usedPct === null || x.usedPct === undefined ? '' : `${x.usedPct.toFixed(0)}%`)]], risk.breakers, 'no breakers configured');
    fillTable($('denials'), [['denied by', (x) => x.check], ['orders', (x) => x.count]], risk.denials, 'no denials');
    fillTable($('alerts'), [['time', (x) => time(x.ts)], ['severity', (x) => x.severity], ['alert', (x) => x.title], ['detail', (x) => x.detail]], alerts, 'no alerts');
  } catch (e) {
    say(`cannot read the engine: ${e.message}`, true);
  }
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
  $('kill-dialog').showModal();
});
$('kill-go').addEventListener('click', async (ev) => {
  ev.preventDefault();
  if ($('kill-confirm').value !== 'KILL') { say('Kill switch not pulled: type KILL to confirm.', true); return; }
  const reason = $('kill-reason').value.trim() || 'dashboard kill switch';
  $('kill-dialog').close();
  await act('/api/kill', { reason, flatten: $('kill-flatten').checked });
});
$('kill-cancel').addEventListener('click', () => say('Kill switch not pulled.'));
$('rearm').addEventListener('click', async () => {
  const reason = prompt('Re-arm: trading resumes and every breaker is re-armed. Reason?');
  if (reason) await act('/api/rearm', { reason });
});
$('cancel-all').addEventListener('click', async () => {
  if (confirm('Cancel every working order?')) await act('/api/orders/cancel-all');
});

refresh();
connect();
setInterval(refresh, 5000);
