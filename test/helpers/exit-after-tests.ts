import { after } from 'node:test';

/**
 * Preloaded into every test file's process by `npm test` (`--import`): once a file's tests are done, a file that
 * left a handle open (a server, a socket, a child process, a timer) would keep its process alive, and the runner
 * waits for it forever (a CI run that stalls instead of failing). The timer below is unref'd, so a file that
 * cleans up exits at once as before; one that does not is ended 20 s after its tests, with a line naming it, and
 * its results stand as reported. (`--test-force-exit` would do this too, but it ends a file's process while later
 * tests of that file are still to run, silently: measured on test/risk/breakers.test.ts, 16 to 33 of its 63
 * tests were reported, and the run still passed.)
 */
const GRACE_MS = 20_000;

after(() => {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'TTYWrap');
    process.stderr.write(`exit-after-tests: ${process.argv[1] ?? 'a test file'} still had open handles ${GRACE_MS / 1000} s after its tests (${open.join(', ') || 'timers'}); ending it\n`);
    process.exit();
  }, GRACE_MS).unref();
});
