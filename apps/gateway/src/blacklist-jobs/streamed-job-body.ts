import { UnsupportedMediaTypeException } from '@nestjs/common';
import { StringDecoder } from 'node:string_decoder';
import { ValidationError } from '@app/common';
import {
  type BlacklistAction,
  JOB_MAX_OPENIDS,
  MAX_REPORTED,
  OPENID_PATTERN,
  validateAction,
} from '../blacklist/openid-validation';

/** Streamed job formats: never held whole, read as they arrive. */
export type StreamedJobFormat = 'ndjson' | 'csv';

/** Valid openids handed to the database per insert. */
const BATCH = 10_000;
/** Longer than any openid line could be (64 characters, quotes, CR): refused rather than buffered. */
const MAX_LINE = 1024;

export function streamedJobFormat(contentType: string | undefined): StreamedJobFormat | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (type === 'application/x-ndjson') return 'ndjson';
  if (type === 'text/csv') return 'csv';
  return undefined;
}

const invalid = (fields: { field: string; messages: string[] }[], extra: Record<string, unknown> = {}) =>
  new ValidationError('The request is invalid.', { fields, ...extra });

/**
 * The openids of POST .../blacklist/jobs sent as `application/x-ndjson` (first line
 * `{"action":"block"}`, then one openid per line, bare or as a JSON string) or `text/csv`
 * (`?action=block`, one openid per line, optional header line `openid`). Blank lines are
 * skipped. Openids are checked as they arrive with the JSON body's rule; the bad ones are
 * reported as `openids[<index>]` (index among the openid lines) once the body has been read.
 * Duplicates are removed by the database (first occurrence kept).
 */
export class StreamedJobBody {
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: AsyncIterator<Buffer | string>;
  private pending: string[] = [];
  private rest = '';
  private ended = false;

  constructor(
    stream: AsyncIterable<Buffer | string>,
    private readonly format: StreamedJobFormat,
    private readonly queryAction: unknown,
    contentEncoding: string | undefined,
  ) {
    if (contentEncoding && contentEncoding.toLowerCase() !== 'identity') {
      throw new UnsupportedMediaTypeException('Compressed bodies are not accepted.');
    }
    this.chunks = stream[Symbol.asyncIterator]();
  }

  /** Reads the header line(s): the action (ndjson's first line, or csv's `?action=`). */
  async action(): Promise<BlacklistAction> {
    if (this.format === 'csv') {
      const action = this.queryAction === undefined ? undefined : validateAction(this.queryAction);
      if (!action) throw invalid([{ field: 'action', messages: ['?action=block or ?action=unblock is required with text/csv'] }]);
      const first = await this.nextLine();
      if (first !== undefined && first.trim().replace(/^"|"$/g, '').toLowerCase() !== 'openid') this.pending.push(first);
      return action;
    }
    const first = await this.nextLine();
    let header: unknown;
    try {
      header = first === undefined ? undefined : JSON.parse(first);
    } catch {
      header = undefined;
    }
    const action = (header as { action?: unknown } | undefined)?.action;
    if (
      header === null ||
      typeof header !== 'object' ||
      Array.isArray(header) ||
      Object.keys(header).some((k) => k !== 'action')
    ) {
      throw invalid([{ field: 'action', messages: ['the first line must be {"action":"block"} or {"action":"unblock"}'] }]);
    }
    return validateAction(action);
  }

  /** Batches of valid openids in order; throws the validation error at the end if any line was bad. */
  async *batches(): AsyncGenerator<string[]> {
    let batch: string[] = [];
    const bad: { index: number; value: string; reason: string }[] = [];
    let badCount = 0;
    let index = 0;
    for (let line = await this.nextLine(); line !== undefined; line = await this.nextLine()) {
      const openid = this.openidOf(line);
      if (openid === '') continue;
      if (index >= JOB_MAX_OPENIDS) {
        throw invalid([{ field: 'openids', messages: [`openids must contain between 1 and ${JOB_MAX_OPENIDS} items`] }], {
          count: `more than ${JOB_MAX_OPENIDS}`,
        });
      }
      if (openid !== undefined && OPENID_PATTERN.test(openid)) batch.push(openid);
      else {
        badCount++;
        if (bad.length < MAX_REPORTED) {
          bad.push({ index, value: line.slice(0, 100), reason: 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -' });
        }
      }
      index++;
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (badCount > 0) {
      throw invalid(
        bad.map((b) => ({ field: `openids[${b.index}]`, messages: [`openid ${b.reason}`] })),
        { invalidItems: bad, invalidCount: badCount },
      );
    }
    if (index === 0) {
      throw invalid([{ field: 'openids', messages: [`openids must contain between 1 and ${JOB_MAX_OPENIDS} items`] }], {
        count: 0,
      });
    }
    if (batch.length) yield batch;
  }

  /** '' for a blank line, undefined for one that is no string (ndjson). */
  private openidOf(line: string): string | undefined {
    const t = line.trim();
    if (t === '') return '';
    if (!t.startsWith('"')) return t;
    if (this.format === 'csv') return t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : undefined;
    try {
      const v: unknown = JSON.parse(t);
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  private async nextLine(): Promise<string | undefined> {
    while (this.pending.length === 0) {
      if (this.ended) return undefined;
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        const last = this.rest + this.decoder.end();
        this.rest = '';
        if (last !== '') this.pending.push(last);
        continue;
      }
      const text = this.rest + (typeof next.value === 'string' ? next.value : this.decoder.write(next.value));
      const lines = text.split('\n');
      this.rest = lines.pop()!;
      if (this.rest.length > MAX_LINE) throw invalid([{ field: 'openids', messages: ['a line is longer than any openid'] }]);
      // Reversed so that taking the next line is a pop.
      this.pending = lines.reverse();
    }
    return this.pending.pop();
  }
}
