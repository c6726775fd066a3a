import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { KeelError } from '../model/index.ts';

/**
 * Asking a person for a passphrase, password or secret value on the terminal, without echo (like ssh and gpg,
 * on the controlling terminal `/dev/tty`, so `echo value | keel secrets set NAME` can still ask for the
 * passphrase). Offered only when stdin or stderr is a terminal: a script, a CI job or a test never waits
 * for an answer nobody will type.
 */

/** The no-echo prompt, or undefined when nobody is at a terminal. */
export function terminalPrompt(): ((question: string) => Promise<string>) | undefined {
  if (process.platform === 'win32') return undefined;
  if (!process.stdin.isTTY && !process.stderr.isTTY) return undefined;
  try {
    closeSync(openSync('/dev/tty', 'r'));
  } catch {
    return undefined;
  }
  return askWithoutEcho;
}

function askWithoutEcho(question: string): Promise<string> {
  const out = openSync('/dev/tty', 'w');
  const input = new ReadStream(openSync('/dev/tty', 'r'));
  // Echo off before the question shows: someone typing the moment it appears must not see their answer.
  input.setRawMode(true);
  writeSync(out, question);
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.destroy();
      writeSync(out, '\n');
      closeSync(out);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') { finish(); resolve(answer); return; }
        if (ch === '\u0003') { finish(); reject(new KeelError('INTERRUPTED', 'was interrupted (Ctrl-C); nothing was changed', { field: question.replace(/:\s*$/, '') })); return; }
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else if (ch === '\u0015') answer = ''; // Ctrl-U: start over
        else if (ch >= ' ') answer += ch;
      }
    };
    input.on('data', onData);
  });
}
