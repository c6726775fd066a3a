/**
 * A stand-in engine that dies between an event commit and its read models' commit (the crash window of
 * journals whose read models commit after the events). It appends the first SETTLED events of the file
 * and waits until the read models include them ("settled" on stdout), then waits for "go" on stdin (the
 * test may now hold the read models' commits back), appends the rest in one call and prints "durable N"
 * once that append is acknowledged. Then, with DIE=self, it kills itself with SIGKILL at once (on SQLite
 * that is before the read models' commit, which comes a turn of the event loop later); with DIE=wait it
 * waits for the test to kill it (the test holds the read models' commit back and kills it first).
 *
 *   node test/helpers/read-model-crash-process.ts EVENTS.json SETTLED DIE sqlite PATH
 *   node test/helpers/read-model-crash-process.ts EVENTS.json SETTLED DIE postgres URL SCHEMA
 *
 * EVENTS.json holds the events in the journal's payload codec (bigints survive).
 */
import { readFileSync } from 'node:fs';
import { decodePayload, openSqliteJournal, type Journal, type NewJournalEvent } from '../../src/store/index.ts';
import { openPostgresJournal } from '../../src/store/postgres/index.ts';

const [file, settledArg, die, kind, where, schema] = process.argv.slice(2);
const events = decodePayload(readFileSync(file, 'utf8')) as NewJournalEvent[];
const settled = Number(settledArg);
const journal: Journal = kind === 'postgres'
  ? await openPostgresJournal({ connection: { url: where }, schema })
  : await openSqliteJournal({ path: where });
// A test that dies without telling us must not leave a writer behind.
setTimeout(() => process.exit(3), 60_000).unref();

await journal.append(events.slice(0, settled));
await journal.settleReadModels();
process.stdout.write('settled\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const seqs = await journal.append(events.slice(settled));
// The events are durable; the read models' commit comes a turn later (SQLite) or is held back by the test.
process.stdout.write(`durable ${seqs.at(-1)}\n`);
if (die === 'self') process.kill(process.pid, 'SIGKILL');
