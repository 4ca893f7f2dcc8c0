import { DomainError } from '@app/common';
import { WeChatApiError, WeChatTransportError } from '@app/wechat';
import { ApiUnauthorizedError, PermissionSetMissingError, QuotaExceededError } from '../tenant-calls/tenant-calls.errors';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { classifyBlacklistFailure } from './blacklist-failure';

const api = (errcode: number) => new WeChatApiError('batchblacklist', errcode, 'err');

describe('classifyBlacklistFailure (one meaning per failure, for the batch engine)', () => {
  it.each([
    [40003, 'invalid-openid', undefined],
    [49003, 'invalid-openid', undefined],
    [45011, 'failed', 'RATE_LIMITED'],
    [40001, 'failed', 'WECHAT_TOKEN_INVALID'],
    [-1, 'failed', 'WECHAT_UNAVAILABLE'],
    [40999, 'failed', 'WECHAT_API_ERROR'],
  ])('errcode %d → %s %s', (errcode, kind, code) => {
    const failure = classifyBlacklistFailure(api(errcode), 'batchblacklist');
    expect(failure?.kind).toBe(kind);
    if (code) expect(failure).toMatchObject({ code });
  });

  it('TenantCalls’ reactions: a quota block stops the run, 61007 fails the batch, 48001 fails it API_UNAUTHORIZED', () => {
    const until = new Date(Date.now() + 60_000);
    expect(classifyBlacklistFailure(new QuotaExceededError('batchblacklist', until), 'batchblacklist')).toEqual({
      kind: 'quota',
      until,
    });
    expect(classifyBlacklistFailure(new PermissionSetMissingError([2, 100], [1]), 'batchblacklist')).toMatchObject({
      kind: 'set-missing',
      required: [2, 100],
      granted: [1],
    });
    expect(classifyBlacklistFailure(new ApiUnauthorizedError('batchblacklist', api(48001)), 'batchblacklist')).toMatchObject({
      kind: 'failed',
      code: 'API_UNAUTHORIZED',
      unknownOutcome: false,
    });
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
      unknownOutcome: false,
    });
  });

  it('anything else is not a known failure (rethrown by the callers)', () => {
    expect(classifyBlacklistFailure(new Error('bug'), 'batchblacklist')).toBeUndefined();
  });
});
