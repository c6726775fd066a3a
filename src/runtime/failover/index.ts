/** Active/standby on a PostgreSQL journal: the leader lease's two sides (docs/high-availability.md). */
export { LeaseKeeper, type LeaseKeeperOptions } from './lease-keeper.ts';
export { becomeActive, standBy, type Leadership, type StandbyOptions } from './standby.ts';
