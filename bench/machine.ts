import { cpus } from 'node:os';

/** The machine line every benchmark figure carries: CPU model, core count, Node version. */
export const MACHINE = `${cpus()[0]?.model ?? 'unknown cpu'} (${cpus().length} cores), Node ${process.version}`;
