import type { SimClock } from './clock';

export interface CodeRecord<T> {
  value: string;
  issuedAt: number;
  expiresAt: number;
  usedAt?: number;
  data: T;
}

export type CodeStatus = 'valid' | 'unknown' | 'used' | 'expired';

/** Time-limited codes (tickets, pre-auth codes, auth codes); single use where the caller consumes them. */
export class CodeStore<T> {
  private readonly byValue = new Map<string, CodeRecord<T>>();

  constructor(
    private readonly clock: SimClock,
    private readonly generate: () => string,
  ) {}

  issue(ttlSec: number, data: T): CodeRecord<T> {
    const now = this.clock.now();
    const record: CodeRecord<T> = { value: this.generate(), issuedAt: now, expiresAt: now + ttlSec * 1000, data };
    this.byValue.set(record.value, record);
    return record;
  }

  peek(value: string | undefined): { status: CodeStatus; record?: CodeRecord<T> } {
    const record = value ? this.byValue.get(value) : undefined;
    if (!record) return { status: 'unknown' };
    if (record.usedAt !== undefined) return { status: 'used', record };
    if (this.clock.now() >= record.expiresAt) return { status: 'expired', record };
    return { status: 'valid', record };
  }

  /** Marks a valid code used; any other status is returned unchanged so the caller picks the errcode. */
  consume(value: string | undefined): { status: CodeStatus; record?: CodeRecord<T> } {
    const result = this.peek(value);
    if (result.status === 'valid') result.record!.usedAt = this.clock.now();
    return result;
  }

  clear(): void {
    this.byValue.clear();
  }

  /** Every code not yet expired at `now`, used or not (for the state file). */
  unexpired(now: number): CodeRecord<T>[] {
    return [...this.byValue.values()].filter((c) => now < c.expiresAt).map((c) => ({ ...c }));
  }

  load(records: CodeRecord<T>[]): void {
    for (const r of records) this.byValue.set(r.value, { ...r });
  }
}
