import { BUILT_IN_STRATEGIES } from '../../strategy/index.ts';

/** `keel strategies`: the built-in strategies and their parameters. */
export function strategiesCommand(): number {
  for (const [name, cls] of Object.entries(BUILT_IN_STRATEGIES)) {
    process.stdout.write(`${name}\n  ${cls.description}\n`);
    for (const [p, spec] of Object.entries(cls.params)) {
      const bounds = 'min' in spec || 'max' in spec ? ` [${(spec as { min?: number }).min ?? ''}..${(spec as { max?: number }).max ?? ''}]` : '';
      process.stdout.write(`    ${p}=${spec.default}  (${spec.type}${bounds}) ${spec.description ?? ''}\n`);
    }
  }
  return 0;
}
