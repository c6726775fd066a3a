import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startTwsServer } from '../../../src/venues/ib-server/index.ts';
import { FrameReader, frame } from '../../../src/venues/ib-server/wire.ts';
import { ORCL, keelAsync } from '../../helpers/cli.ts';
import { until } from '../../helpers/wait.ts';

// The fake TWS at the byte level: a raw socket client writing the V100+ handshake and messages by hand,
// reading framed answers. (The adapter's own tests go through @stoqey/ib.)

/** A client socket collecting framed answers (every field list as strings). */
async function rawClient(port: number): Promise<{ socket: Socket; messages: string[][]; closed: () => boolean }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const messages: string[][] = [];
  let buf = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const n = buf.readUInt32BE(0);
      const fields = buf.subarray(4, 4 + n).toString('utf8').split('\0');
      fields.pop();
      messages.push(fields);
      buf = buf.subarray(4 + n);
    }
  });
  socket.on('close', () => { closed = true; });
  return { socket, messages, closed: () => closed };
}

const hello = (range: string) => {
  const v = Buffer.from(range, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(v.length);
  return Buffer.concat([Buffer.from('API\0', 'latin1'), len, v]);
};

test('handshake: API\\0 and a version range → server version 176 and a connection time; START_API → nextValidId, managedAccounts', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL' }], account: 'DU7777777' });
  const c = await rawClient(tws.port);
  try {
    c.socket.write(hello('v100..193'));
    await until('the server version', () => c.messages.length >= 1, 2_000);
    assert.equal(c.messages[0][0], '176');
    assert.match(c.messages[0][1], /^\d{8} \d\d:\d\d:\d\d GMT$/);
    c.socket.write(frame([71, 2, 42, '']));
    await until('three messages', () => c.messages.length >= 4, 2_000);
    assert.deepEqual(c.messages[1], ['9', '1', '1']);
    assert.deepEqual(c.messages[2], ['15', '1', 'DU7777777']);
    assert.deepEqual(c.messages[3].slice(0, 4), ['4', '2', '-1', '2104']);
    // placeOrder at 176: [3, orderId, conId, symbol, secType, expiry, strike, right, multiplier, exchange, primaryExch,
    // currency, localSymbol, tradingClass, secIdType, secId, action, totalQuantity, orderType, lmtPrice, auxPrice, tif,
    // ocaGroup, account, openClose, origin, orderRef, transmit, …]
    c.socket.write(frame([3, 1, '', 'AAPL', 'STK', '', '', '', '', 'SMART', '', 'USD', '', '', '', '', 'BUY', '5', 'LMT', '101.5', '', 'GTC', '', '', '', 0, 'ref-1', 1]));
    await until('openOrder and orderStatus', () => c.messages.some((m) => m[0] === '3'), 2_000);
    const open = c.messages.find((m) => m[0] === '5')!;
    assert.deepEqual(open.slice(1, 5), ['1', '265598', 'AAPL', 'STK']);
    assert.ok(open.includes('ref-1') && open.includes('101.5') && open.includes('Submitted'));
    const status = c.messages.find((m) => m[0] === '3')!;
    assert.deepEqual(status.slice(1, 5), ['1', 'Submitted', '0', '5']);
    // An order id below the next valid one (the client has used it) is a duplicate: error 103, nothing booked.
    c.socket.write(frame([3, 0, '', 'AAPL', 'STK', '', '', '', '', 'SMART', '', 'USD', '', '', '', '', 'BUY', '5', 'LMT', '101.5', '', 'GTC', '', '', '', 0, 'ref-2', 1]));
    await until('error 103', () => c.messages.some((m) => m[0] === '4' && m[3] === '103'), 2_000);
    assert.equal(tws.ordersByRef('ref-2').length, 0);
  } finally {
    c.socket.destroy();
    await tws.close();
  }
});

test('a client that is not a V100+ TWS client, or supports too old a version, is cut off', async () => {
  const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL' }] });
  try {
    const a = await rawClient(tws.port);
    a.socket.write('GET / HTTP/1.1\r\n\r\n');
    await until('closed', a.closed, 2_000);
    const b = await rawClient(tws.port);
    b.socket.write(hello('v100..150'));
    await until('closed', b.closed, 2_000);
    assert.deepEqual(b.messages, []);
  } finally {
    await tws.close();
  }
});

test('FrameReader cuts a stream split at any byte into the hello and whole messages', () => {
  const bytes = Buffer.concat([hello('v100..193'), frame([71, 2, 7, '']), frame([5, 1])]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const r = new FrameReader();
    const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
    assert.deepEqual(got, [{ kind: 'hello', minVersion: 100, maxVersion: 193 }, { kind: 'message', fields: ['71', '2', '7', ''] }, { kind: 'message', fields: ['5', '1'] }], `cut at ${cut}`);
  }
});

test('keel venue --api ib: a missing or bad flag is one line and exit code 2', async () => {
  const missing = await keelAsync(['venue', '--api', 'ib']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), '--data: is required (a CSV of bars, e.g. ../shared/data/daily/ORCL-1995-2014.csv)');
  const speed = await keelAsync(['venue', '--api', 'ib', '--data', ORCL, '--speed', 'fast']);
  assert.equal(speed.code, 2);
  assert.equal(speed.stderr.trim(), '--speed = "fast": must be an integer ≥ 1');
});
