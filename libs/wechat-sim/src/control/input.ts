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

/** Field rules more than one control resource reads. */
export const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const PAGE_PUSH: readonly AuthorizationPushMode[] = ['before', 'after', 'hold', 'none'];
