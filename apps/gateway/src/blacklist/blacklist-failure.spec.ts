import { DomainError } from '@app/common';
import { WeChatApiError, WeChatTransportError } from '@app/wechat';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { classifyBlacklistFailure } from './blacklist-failure';

const api = (errcode: number) => new WeChatApiError('batchblacklist', errcode, 'err');

describe('classifyBlacklistFailure (one meaning per errcode kind, for the engine and page())', () => {
  it.each([
    [40003, 'invalid-openid', undefined],
    [49003, 'invalid-openid', undefined],
    [45009, 'quota-daily', undefined],
    [61007, 'set-missing', 'PERMISSION_SET_MISSING'],
    [48001, 'failed', 'API_UNAUTHORIZED'],
    [45011, 'failed', 'RATE_LIMITED'],
    [40001, 'failed', 'WECHAT_TOKEN_INVALID'],
    [-1, 'failed', 'WECHAT_UNAVAILABLE'],
    [40999, 'failed', 'WECHAT_API_ERROR'],
  ])('errcode %d → %s %s', (errcode, kind, code) => {
    const failure = classifyBlacklistFailure(api(errcode), 'batchblacklist');
    expect(failure?.kind).toBe(kind);
    if (code) expect(failure).toMatchObject({ code });
  });

  it('transport errors, an ended authorization and other domain errors', () => {
    expect(classifyBlacklistFailure(new WeChatTransportError('batchblacklist', 'timeout'), 'batchblacklist')).toMatchObject({
      kind: 'failed',
      code: 'WECHAT_UNAVAILABLE',
    });
    const ended = new TenantNotActiveError('revoked');
    expect(classifyBlacklistFailure(ended, 'batchblacklist')).toEqual({ kind: 'tenant-not-active', error: ended });
    expect(classifyBlacklistFailure(new DomainError('COMPONENT_TICKET_MISSING', 'no ticket'), 'x')).toEqual({
      kind: 'failed',
      code: 'COMPONENT_TICKET_MISSING',
      message: 'no ticket',
    });
  });

  it('anything else is not a known failure (rethrown by the callers)', () => {
    expect(classifyBlacklistFailure(new Error('bug'), 'batchblacklist')).toBeUndefined();
  });
});
