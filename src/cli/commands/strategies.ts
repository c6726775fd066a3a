import { BUILT_IN_STRATEGIES } from '../../strategy/index.ts';
import { parseFlags } from '../args.ts';

export const STRATEGIES_HELP = `keel strategies: the built-in strategies, what each does, and its parameters with their defaults and
bounds (pass them to keel backtest or keel paper as --params name=value,...)
`;

/** `keel strategies`: the built-in strategies and their parameters. */
export function strategiesCommand(argv: string[] = []): number {
  parseFlags(argv, {}, 'strategies');
  for (const [name, cls] of Object.entries(BUILT_IN_STRATEGIES)) {
    process.stdout.write(`${name}\n  ${cls.description}\n`);
    for (const [p, spec] of Object.entries(cls.params)) {
      const bounds = 'min' in spec || 'max' in spec ? ` [${spec.min ?? ''}..${spec.max ?? ''}]` : '';
      const choices = 'choices' in spec && spec.choices !== undefined ? ` one of ${spec.choices.join('|')}` : '';
      process.stdout.write(`    ${p}=${spec.default}  (${spec.type}${bounds}${choices}) ${spec.description ?? ''}\n`);
    }
  }
  return 0;
}
