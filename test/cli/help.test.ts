import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, wantsHelp } from '../../src/cli/command-table.ts';
import { keelAsync } from '../helpers/cli.ts';

// Run in parallel: each is a process start (~0.5 s), and there are many.
const loaded = await Promise.all(COMMANDS.map(async (c) => ({ name: c.name, help: (await c.load()).help })));
const helpOf = (name: string) => loaded.find((c) => c.name === name)!.help;
const runs = loaded.flatMap((c) => [
  { label: `keel ${c.name} --help`, args: [c.name, '--help'], help: c.help },
  { label: `keel help ${c.name}`, args: ['help', c.name], help: c.help },
]);
// -h is the same, and flags that make a command start serving or trading must not win over --help.
runs.push(
  { label: 'keel backtest -h', args: ['backtest', '-h'], help: helpOf('backtest') },
  { label: 'keel venue --api alpaca --data X --help', args: ['venue', '--api', 'alpaca', '--data', 'X', '--help'], help: helpOf('venue') },
  { label: 'keel paper --config nowhere.yaml --help', args: ['paper', '--config', 'nowhere.yaml', '--help'], help: helpOf('paper') },
);

test('every subcommand answers --help, -h and keel help NAME with its own usage and exit 0', async () => {
  const results = await Promise.all(runs.map(async (r) => ({ ...r, out: await keelAsync(r.args) })));
  for (const r of results) {
    assert.equal(r.out.code, 0, `${r.label}: exit ${r.out.code}, stderr ${r.out.stderr}`);
    assert.equal(r.out.stderr, '', `${r.label}: nothing on stderr`);
    assert.equal(r.out.stdout, r.help, `${r.label}: prints the command's usage`);
  }
  for (const c of loaded) assert.match(c.help, new RegExp(`keel ${c.name}\\b`), `${c.name}'s usage names the command`);
});

test('keel --help lists every subcommand; an unknown one is one line and exit 2', async () => {
  const overview = await keelAsync(['--help']);
  assert.equal(overview.code, 0);
  for (const c of COMMANDS) assert.match(overview.stdout, new RegExp(`^  keel ${c.name}\\b`, 'm'), c.name);
  const unknown = await keelAsync(['help', 'bakctest']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'keel: command = "bakctest": is not a keel command (try keel --help)\n');
});

test('wantsHelp: --help or -h anywhere before --, never after it', () => {
  assert.equal(wantsHelp(['--data', 'x', '--help']), true);
  assert.equal(wantsHelp(['-h']), true);
  assert.equal(wantsHelp(['--data', 'x']), false);
  assert.equal(wantsHelp(['--', '--help']), false);
});
