import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { keelAsync } from '../helpers/cli.ts';

/** A loopback port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('keel deploy: each bad input is one line naming the flag or value, exit 2', async () => {
  const port = await deadPort();
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['deploy', 'promote'], { KEEL_API_TOKEN: 't' }, /--api/],
    [['deploy', 'launch', '--api', `http://127.0.0.1:${port}`], { KEEL_API_TOKEN: 't' }, /launch.*not a deploy action/],
    [['deploy', 'promote', '--api', 'ftp://x'], { KEEL_API_TOKEN: 't' }, /--api.*ftp:\/\/x/],
    [['deploy', 'promote', '--api', `http://127.0.0.1:${port}`, '--fraction', '1.5'], { KEEL_API_TOKEN: 't' }, /--fraction.*1\.5/],
    [['deploy', 'rollback', '--api', `http://127.0.0.1:${port}`], { KEEL_API_TOKEN: '' }, /KEEL_API_TOKEN/],
    [['deploy', 'shadow', '--api', `http://127.0.0.1:${port}`], { KEEL_API_TOKEN: 't' }, /--strategy/],
    [['deploy', 'status', '--api', `http://127.0.0.1:${port}`], {}, /--api.*cannot be reached/],
  ];
  for (const [args, env, pattern] of cases) {
    const r = await keelAsync(args, { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
