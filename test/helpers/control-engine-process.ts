/**
 * A stand-in engine process for the CLI tests: opens a control channel in the directory given as argv[2]
 * over a real TradingStateMachine and KillSwitch, persists the trading state there, polls on a timer, and
 * prints "ready <STATE>" once it listens. SIGTERM closes the channel and exits.
 */
import { ControlPoller } from '../../src/ops/index.ts';
import { standInEngine } from './control-stand-in.ts';

const dir = process.argv[2];
const engine = standInEngine(dir, { persist: true, description: 'stand-in engine for the CLI tests' });
engine.channel.open();
const poller = new ControlPoller(engine.channel);
poller.startTimer(20);
// The poller's timer is unref'd (it must not keep a real engine alive); this one stands in for the engine's work.
const alive = setInterval(() => {}, 60_000);
process.on('SIGTERM', () => {
  poller.stopTimer();
  engine.channel.close();
  clearInterval(alive);
  process.exit(0);
});
process.stdout.write(`ready ${engine.state.state}\n`);
