import { KeelError } from '../../model/index.ts';

/**
 * The error of a fenced writer: its epoch is no longer the lease's, because another node took the lease over
 * (lease.ts). Nothing of the refused statement was written, and the journal refuses everything after it: the
 * engine goes HALTED through the write-ahead's failure path, so not one order of the old epoch leaves.
 */
export function fencedError(epoch: number, location: string, what: string): KeelError {
  return new KeelError('FENCED', `refused ${what} of fencing epoch ${epoch}: another node holds the lease with a newer epoch; nothing was written`, {
    field: 'journal', value: location, hint: 'this node lost the leader lease (it was paused or cut off); it steps down, the new active trades on',
  });
}

/** True for the error `fencedError` makes. */
export function isFenced(err: unknown): boolean {
  return err instanceof KeelError && err.code === 'FENCED';
}
