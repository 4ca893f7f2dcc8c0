import { lastResortRejectionHandler } from './last-resort';
import { runWithRequestId } from './request-context';

describe('last-resort unhandledRejection handler', () => {
  it('logs at fatal with the request id of the promise that rejected, and does not throw', async () => {
    const lines: Record<string, unknown>[] = [];
    const handler = lastResortRejectionHandler({ fatal: (obj) => lines.push(obj) });
    await runWithRequestId('req-42', async () => {
      await Promise.resolve();
      handler(new URIError('URI malformed'));
    });
    handler('not an error');
    expect(lines[0]).toMatchObject({ requestId: 'req-42', errorName: 'URIError', err: 'URI malformed' });
    expect(lines[1]).toMatchObject({ requestId: undefined, err: 'not an error' });
  });

  it('survives a logger that throws', () => {
    const handler = lastResortRejectionHandler({
      fatal: () => {
        throw new Error('log broke');
      },
    });
    expect(() => handler(new Error('x'))).not.toThrow();
  });
});
