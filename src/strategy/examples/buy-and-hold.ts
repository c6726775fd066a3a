import { Strategy } from '../strategy.ts';

/** Buy on the first bar and hold to the end: the benchmark every other strategy must beat. */
export default class BuyAndHold extends Strategy<Record<string, never>> {
  static override description = 'Buy on the first bar and hold to the end.';

  private entered = false;

  override onPrice(): void {
    if (this.entered) return;
    this.entered = true;
    this.enterLong();
  }
}
