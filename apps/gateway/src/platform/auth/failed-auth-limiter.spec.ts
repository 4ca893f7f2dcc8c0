import type { GatewayConfig } from '../config/gateway-config';
import { RateLimitedError } from './auth.errors';
import { FailedAuthLimiter } from './failed-auth-limiter';

describe('FailedAuthLimiter', () => {
  const make = (limit: number) => new FailedAuthLimiter({ rateLimits: { failedAuthPerMinute: limit } } as GatewayConfig);

  it('blocks an address after the limit within a minute, with the seconds left, and lets it go after', () => {
    const limiter = make(3);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(() => limiter.assertNotBlocked('1.2.3.4', t0)).not.toThrow();
      limiter.recordFailure('1.2.3.4', t0);
    }
    let thrown: unknown;
    try {
      limiter.assertNotBlocked('1.2.3.4', t0 + 20_000);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RateLimitedError);
    expect((thrown as RateLimitedError).retryAfterSeconds).toBe(40);
    expect(() => limiter.assertNotBlocked('5.6.7.8', t0)).not.toThrow();
    expect(() => limiter.assertNotBlocked('1.2.3.4', t0 + 60_000)).not.toThrow();
  });
});
