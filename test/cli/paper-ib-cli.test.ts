import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ORCL, ROOT, keelAsync, spawnKeel } from '../helpers/cli.ts';
import { until } from '../helpers/wait.ts';

/** examples/keel-ib.yaml pointed at `port` with a journal in `dir` and a free API port; `edit` changes the venue. */
function ibConfig(dir: string, port: number, edit: (yaml: string) => string = (y) => y): string {
  const yaml = readFileSync(resolve(ROOT, 'examples/keel-ib.yaml'), 'utf8')
    .replace(/port: 4002 .*$/m, `port: ${port}`)
    .replace(/^journal: .*$/m, `journal: ${join(dir, 'journal.sqlite')}`)
    .replace(/port: 7070/, 'port: 0');
  const file = join(dir, `keel-ib-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, edit(yaml));
  return file;
}

/** The README's Interactive Brokers commands, as written (one `keel venue --api ib …  &`, one `keel paper --config …`). */
function readmeCommands(): { venue: string[]; paper: string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Interactive Brokers');
  assert.ok(start >= 0, 'README has the section');
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const lines = /```sh\n([\s\S]*?)```/.exec(section)![1].trim().split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  const args = (l: string) => l.replace(/\s*&$/, '').replace(/^npx keel /, '').split(/\s+/);
  assert.match(lines[0], /^npx keel venue --api ib .* &$/);
  assert.match(lines[1], /^npx keel paper --config examples\/keel-ib\.yaml$/);
  return { venue: args(lines[0]), paper: args(lines[1]) };
}

test('the README\'s IB commands: keel venue --api ib and keel paper --config examples/keel-ib.yaml, orders and fills over the TWS socket API', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-paper-ib-'));
  const cmd = readmeCommands();
  // As written, but on a free port (tests run side by side), the data path from the repository, 400 bars.
  const venueArgs = cmd.venue.map((a, i) => (cmd.venue[i - 1] === '--port' ? '0' : cmd.venue[i - 1] === '--data' ? ORCL : a));
  const venue = spawnKeel([...venueArgs, '--until-bar', '400']);
  try {
    await until('the fake TWS address', () => /^127\.0\.0\.1:\d+/.test(venue.out()));
    const port = Number(venue.out().trim().split('\n')[0].split(':')[1]);
    assert.equal(cmd.paper.at(-1), 'examples/keel-ib.yaml');
    const paper = spawnKeel([...cmd.paper.slice(0, -1), ibConfig(dir, port)]);
    await until('two fills', () => (paper.err().match(/: filled, /g) ?? []).length >= 2, 60_000);
    paper.child.kill('SIGTERM');
    const code = await paper.exit;
    assert.equal(code, 0, paper.err());
    assert.match(paper.err(), new RegExp(`paper trading on ib paper 127\\.0\\.0\\.1:${port} client 7`));
    assert.match(paper.err(), /order sma-cross-1: buy 100 ORCL market, sent/);
    assert.match(paper.err(), /order sma-cross-1: filled, buy 100 ORCL at \d+\.\d\d\b/);
    assert.match(paper.out(), /end of session[\s\S]*verdict: in agreement/);
  } finally {
    venue.child.kill('SIGTERM');
    await venue.exit;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad ib venue config: one line naming the field and value, nothing connects or is sent', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-paper-ib-bad-'));
  // A listener that counts connections: a refused config must never reach it.
  let connections = 0;
  const tws = createServer((s) => { connections++; s.destroy(); });
  await new Promise<void>((r) => tws.listen(0, '127.0.0.1', r));
  const port = (tws.address() as { port: number }).port;
  try {
    const cases: Array<[string, (y: string) => string, RegExp]> = [
      ['host with a port', (y) => y.replace('host: 127.0.0.1', 'host: "127.0.0.1:4002"'), /venue\.host = "127\.0\.0\.1:4002": must be a host name or IP address, without port or scheme/],
      ['negative client id', (y) => y.replace(/clientId: 7 .*$/m, 'clientId: -3'), /venue\.clientId = -3: must be an integer from 0 to 2147483647/],
      ['fractional client id', (y) => y.replace(/clientId: 7 .*$/m, 'clientId: 1.5'), /venue\.clientId = 1\.5: must be an integer from 0 to 2147483647/],
      ['unsupported order type', (y) => y.replace(/clientId: 7 .*$/m, 'clientId: 7\n  orderTypes: [market, trailing_stop]'), /venue\.orderTypes\.1 = "trailing_stop": must be market, limit, stop or stop_limit/],
      ['bad account id', (y) => y.replace(/account: DU1234567 .*$/m, 'account: "my account"'), /venue\.account = "my account": must be an IB account id such as DU1234567/],
    ];
    for (const [what, edit, line] of cases) {
      const r = await keelAsync(['paper', '--config', ibConfig(dir, port, edit)]);
      assert.notEqual(r.code, 0, what);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${what}: one line, got ${r.stderr}`);
      assert.match(lines[0], line, what);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
    }
    assert.equal(connections, 0, 'nothing connected for a bad config');
    // A host where nothing listens: one line saying so, naming the address.
    tws.close();
    const r = await keelAsync(['paper', '--config', ibConfig(dir, port)]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`venue\\.host = "127\\.0\\.0\\.1:${port}": cannot connect to TWS/IB Gateway \\(.*ECONNREFUSED.*\\)`));
  } finally {
    tws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
