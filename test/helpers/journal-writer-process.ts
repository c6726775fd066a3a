/**
 * A stand-in engine for the online-backup tests: appends `tradeBatch`es to a SQLite journal as fast as it can
 * (one append call, one transaction per batch) and saves a snapshot every 50 batches, until SIGTERM. Prints
 * "ready" after the first batch and "stopped N" (batches) once the journal is closed.
 *
 *   node test/helpers/journal-writer-process.ts run/journal.sqlite
 */
import { openSqliteJournal } from '../../src/store/index.ts';
import { tradeBatch } from './journal-events.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: journal-writer-process.ts JOURNAL');
const journal = await openSqliteJournal({ path });
let stop = false;
process.on('SIGTERM', () => { stop = true; });
// A test that dies without stopping us must not leave a writer running for ever.
const deadline = Date.now() + 60_000;
let batches = 0;
while (!stop && Date.now() < deadline) {
  await journal.append(tradeBatch(batches));
  batches++;
  if (batches === 1) process.stdout.write('ready\n');
  if (batches % 50 === 0) await journal.saveSnapshot({ seq: await journal.lastSeq(), ts: batches, state: { batches, cash: BigInt(batches) * 10n ** 18n } });
}
await journal.close();
process.stdout.write(`stopped ${batches}\n`);
