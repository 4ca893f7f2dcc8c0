/**
 * Simulated time. Expiry rules read only this clock, so tests move time instead of sleeping;
 * the offset lets the control API advance time for a simulator running in another process.
 */
export class SimClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
