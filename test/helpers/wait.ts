/**
 * Poll `cond` every 25 ms until it holds; a timeout names what was awaited. For tests that watch processes
 * and sockets, where there is no event to await.
 *
 * @example await until('the venue URL', () => /^http/.test(venue.out()));
 */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
