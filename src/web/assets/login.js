// The sign-in page: user name, password and the authenticator's current code, posted to /api/login, which
// sets the HttpOnly session cookie (this script never sees it). Then on to the dashboard.
const $ = (id) => document.getElementById(id);

const s = await fetch('/api/session');
if (s.ok && (await s.json()).mode === 'token') location.replace('/'); // no users configured: nothing to sign in to

$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('sign-in').disabled = true;
  try {
    const r = await fetch('/api/login', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: $('user').value, password: $('password').value, totp: $('totp').value.trim() }),
    });
    if (r.ok) { location.replace('/'); return; }
    const answer = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    $('message').textContent = answer.error;
    $('message').className = 'neg';
    $('password').value = '';
    $('totp').value = '';
  } finally {
    $('sign-in').disabled = false;
  }
});
