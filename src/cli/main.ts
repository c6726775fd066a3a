import { KeelError } from '../model/index.ts';
import { COMMANDS, overviewHelp, wantsHelp } from './command-table.ts';
import { scrubFailure } from './failure-scrub.ts';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined: case '--help': case '-h': process.stdout.write(overviewHelp()); return 0;
    case '--version': case 'version': process.stdout.write('keel 0.1.0\n'); return 0;
    case 'help': {
      if (rest[0] === undefined) { process.stdout.write(overviewHelp()); return 0; }
      process.stdout.write((await commandNamed(rest[0]).load()).help);
      return 0;
    }
    default: {
      const command = await commandNamed(name).load();
      if (wantsHelp(rest)) { process.stdout.write(command.help); return 0; }
      return command.run(rest);
    }
  }
}

function commandNamed(name: string) {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw new KeelError('UNKNOWN_COMMAND', 'is not a keel command', { field: 'command', value: name, hint: 'try keel --help' });
  return command;
}

/**
 * Every failure is one line on stderr and a non-zero exit. User errors (KeelError) say what to fix; an error
 * from a strategy's own code names where it was thrown; anything else is a Keel bug, and KEEL_DEBUG=1 shows
 * the stack.
 */
function reportFailure(err: unknown): number {
  // Written to stderr directly, past the logger's scrubber: secrets are scrubbed here (failure-scrub.ts).
  if (err instanceof KeelError) {
    process.stderr.write(scrubFailure(`keel: ${err.message}\n`));
    return 2;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (process.env.KEEL_DEBUG) process.stderr.write(scrubFailure(`${e.stack}\n`));
  const where = /\((?:file:\/\/)?([^()]+?:\d+):\d+\)/.exec(e.stack?.split('\n').slice(1).find((l) => !l.includes('/src/') && !l.includes('node:')) ?? '');
  process.stderr.write(scrubFailure(`keel: ${e.name}: ${e.message}${where ? ` (at ${where[1]})` : ''}${process.env.KEEL_DEBUG ? '' : ' — set KEEL_DEBUG=1 for the stack'}\n`));
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.exitCode = reportFailure(err); },
);
