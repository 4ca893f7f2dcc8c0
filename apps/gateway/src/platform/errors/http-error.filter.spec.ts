import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { DomainError } from '@app/common';
import { HttpErrorFilter } from './http-error.filter';

function hostFor() {
  // The parts of Fastify's reply the filter uses.
  const res = {
    statusCode: 0,
    body: undefined as unknown,
    headers: {} as Record<string, string>,
    sent: false,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    send(b: unknown) {
      this.body = b;
      return this;
    },
    header(k: string, v: string) {
      this.headers[k] = v;
      return this;
    },
  };
  const req = { id: 'req-1', headers: {} };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  return { host, res };
}

describe('HttpErrorFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const filter = new HttpErrorFilter();

  it('maps an unexpected error to 500 INTERNAL without leaking its message', () => {
    const { host, res } = hostFor();
    filter.catch(new Error('connection string postgres://user:pw@db/secret'), host);
    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'An unexpected error occurred.', requestId: 'req-1' } });
  });

  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['dropped', new Error('Connection terminated unexpectedly')],
    ['shutting down (wrapped by TypeORM)', Object.assign(new Error('q'), { driverError: { code: '57P01', message: 'x' } })],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('maps an unreachable database (%s) to 503 SERVICE_UNAVAILABLE with Retry-After', (_, error) => {
    const { host, res } = hostFor();
    filter.catch(error, host);
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('5');
    expect(res.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', details: { retryAfterSeconds: 5 } } });
  });

  it('maps a domain error through the status table with its code, details and Retry-After', () => {
    const { host, res } = hostFor();
    const err = Object.assign(new DomainError('QUOTA_EXCEEDED', 'Daily quota reached.', { api: 'batchblacklist' }), {
      retryAfterSeconds: 42.2,
    });
    filter.catch(err, host);
    expect(res.statusCode).toBe(429);
    expect(res.headers['Retry-After']).toBe('43');
    expect(res.body).toEqual({
      error: { code: 'QUOTA_EXCEEDED', message: 'Daily quota reached.', requestId: 'req-1', details: { api: 'batchblacklist' } },
    });
  });

  it('maps an unknown route to 404 NOT_FOUND', () => {
    const { host, res } = hostFor();
    filter.catch(new NotFoundException('Cannot GET /nope'), host);
    expect(res.statusCode).toBe(404);
    expect((res.body as any).error.code).toBe('NOT_FOUND');
  });
});
