/**
 * Optional global throughput cap for benchmarks: calls are spaced 1/rate seconds apart and
 * wait their turn rather than being rejected. Uses real time, not the simulated clock.
 */
export class Throttle {
  private nextSlot = 0;

  constructor(private readonly perSecond?: number) {}

  async acquire(): Promise<void> {
    if (!this.perSecond) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}
