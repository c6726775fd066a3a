import { listVersions, formatVersions } from '../../lifecycle/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { parseFlags, required } from '../args.ts';

export const VERSIONS_HELP = `keel versions --journal FILE|postgres://... [--journal-schema S] [--json]
  What ran when: one line per run of a strategy version (its strategy.identity event): start, account,
  strategy id, role (live, shadow, canary), version id, code hash, git commit (+dirty), parameters, Keel
  version, run config hash, and the order intents and fills journaled under that version.
  Read-only: may look at the journal of a running engine. --json prints the runs with full identities.
`;

/** `keel versions --journal J`: the strategy versions a journal ran, oldest first. */
export async function versionsCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { journal: { type: 'string' }, 'journal-schema': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const, 'versions');
  if (v.help) { process.stdout.write(VERSIONS_HELP); return 0; }
  const journal = await openJournalArg(required(v.journal, '--journal', 'e.g. --journal run/journal.sqlite'), { schema: v['journal-schema'], mustExist: true, readOnly: true });
  try {
    const runs = await listVersions(journal);
    process.stdout.write(v.json ? JSON.stringify(runs, null, 2) + '\n' : formatVersions(runs));
    return 0;
  } finally {
    await journal.close();
  }
}
