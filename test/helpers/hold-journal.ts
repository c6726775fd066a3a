// Opens the SQLite journal named on the command line for writing, says "ready", and waits to be killed.
import { openSqliteJournal } from '../../src/store/index.ts';

await openSqliteJournal({ path: process.argv[2] });
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
