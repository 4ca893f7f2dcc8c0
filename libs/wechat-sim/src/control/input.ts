import { ControlError } from '../errors';
import type { AuthorizationPushMode } from '../options';

/**
 * Reads one JSON object of control input, field by field; unknown fields are an error too, so
 * a typo in a test fails loudly instead of being ignored.
 */
export class Input {
  private readonly seen = new Set<string>();
  private readonly obj: Record<string, unknown>;

  constructor(body: unknown) {
    if (body === undefined || body === null || body === '') body = {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new ControlError(400, 'body must be a JSON object');
    this.obj = body as Record<string, unknown>;
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.obj[key];
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  string(key: string, opts: { pattern?: RegExp; max?: number } = {}): string | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new ControlError(400, `${key} must be a non-empty string`);
    if (opts.max && v.length > opts.max) throw new ControlError(400, `${key} is longer than ${opts.max}`);
    if (opts.pattern && !opts.pattern.test(v)) throw new ControlError(400, `${key} must match ${opts.pattern}`);
    return v;
  }

  requiredString(key: string, opts: { pattern?: RegExp; max?: number } = {}): string {
    const v = this.string(key, opts);
    if (v === undefined) throw new ControlError(400, `${key} is required`);
    return v;
  }

  /** Makes an optional read required: absent is an error. */
  required<V>(key: string, value: V | undefined): V {
    if (value === undefined) throw new ControlError(400, `${key} is required`);
    return value;
  }

  int(key: string, min: number, max: number): number | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
      throw new ControlError(400, `${key} must be an integer in ${min}..${max}`);
    }
    return v as number;
  }

  number(key: string, min: number, max: number): number | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new ControlError(400, `${key} must be a number in ${min}..${max}`);
    }
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new ControlError(400, `${key} must be a boolean`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!values.includes(v as T)) throw new ControlError(400, `${key} must be one of ${values.join(', ')}`);
    return v as T;
  }

  intArray(key: string, allowed?: Set<number>): number[] | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || (allowed && !allowed.has(x)))) {
      throw new ControlError(400, `${key} must be an array of ${allowed ? `ids among ${[...allowed].join(', ')}` : 'integers'}`);
    }
    return v as number[];
  }

  stringArray(key: string, max = 1_000_000): string[] | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string' || x === '')) {
      throw new ControlError(400, `${key} must be an array of non-empty strings (at most ${max})`);
    }
    return v as string[];
  }

  /** Call last: rejects fields nobody read. */
  done(): void {
    const extra = Object.keys(this.obj).filter((k) => !this.seen.has(k));
    if (extra.length) throw new ControlError(400, `unknown field(s): ${extra.join(', ')}`);
  }
}

/**
 * A field's last check, run once unknown fields are ruled out, so a misspelt field is reported as
 * unknown rather than as a required one missing.
 */
export class Later<V> {
  constructor(readonly check: () => V) {}
}

/**
 * How to read a request type T: one reader per field of T, no more and no fewer, each returning that
 * field's type (now or Later). The compiler holds T and its validation to the same fields and types,
 * so they cannot drift. `read` holds the fields read so far, for a rule spanning two fields.
 */
export type FieldReaders<T> = {
  [K in keyof T]-?: (input: Input, key: K & string, read: Partial<T>) => T[K] | Later<T[K]>;
};

/** Reads `body` as a T: each field through its reader, in the readers' order; unknown fields; the Later checks. */
export function readRequest<T>(body: unknown, readers: FieldReaders<T>): T {
  type Key = keyof T & string;
  const input = new Input(body);
  const read: Partial<T> = {};
  const later: Array<[Key, Later<T[Key]>]> = [];
  for (const key of Object.keys(readers) as Key[]) {
    const reader = readers[key] as (input: Input, key: string, read: Partial<T>) => T[Key] | Later<T[Key]>;
    const value = reader(input, key, read);
    if (value instanceof Later) later.push([key, value]);
    else if (value !== undefined) read[key] = value;
  }
  input.done();
  for (const [key, value] of later) {
    const checked = value.check();
    if (checked !== undefined) read[key] = checked;
  }
  // Complete: a required field's reader, or its Later check, returned a value or threw.
  return read as T;
}

/** Field rules more than one control resource reads. */
export const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const PAGE_PUSH: readonly AuthorizationPushMode[] = ['before', 'after', 'hold', 'none'];
