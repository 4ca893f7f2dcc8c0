import { Logger } from '@nestjs/common';
import type { AccessFacts, AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { AccountNotVerifiedError, PermissionSetMissingError } from './tenant-calls.errors';
import { ApiGate } from './api-gate';

const T = 't' as TenantId;

function gate(
  facts: Partial<AccessFacts>,
  refresh: () => Promise<{ verified: boolean; permissionSets: number[] }> = async () => ({ verified: true, permissionSets: [2] }),
) {
  const authorizers = {
    getAccessFacts: async () => ({ tenantStatus: 'active', appId: 'wx1', verified: true, permissionSets: [2], ...facts }),
    refreshAuthorizerInfo: refresh,
  } as unknown as AuthorizerAccountsService;
  return new ApiGate(authorizers);
}

describe('ApiGate', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('passes an active, verified account holding a permission set of the API', async () => {
    await expect(gate({ permissionSets: [100] }).assertAllowed(T, 'batchblacklist')).resolves.toBeUndefined();
  });

  it('checks in the order of blacklistReadiness: active, verified, permission sets', async () => {
    await expect(
      gate({ tenantStatus: 'revoked', verified: false, permissionSets: [] }).assertAllowed(T, 'getblacklist'),
    ).rejects.toBeInstanceOf(TenantNotActiveError);
    await expect(gate({ verified: false, permissionSets: [] }).assertAllowed(T, 'getblacklist')).rejects.toBeInstanceOf(
      AccountNotVerifiedError,
    );
    await expect(gate({ permissionSets: [15, 1] }).assertAllowed(T, 'getblacklist')).rejects.toMatchObject({
      constructor: PermissionSetMissingError,
      details: { required: [2, 100], granted: [1, 15] },
    });
  });

  it('after a 61007 the re-read sets are granted; if the re-read fails, the stored ones', async () => {
    expect(await gate({}, async () => ({ verified: true, permissionSets: [7] })).permissionSetsAfterRefusal(T)).toEqual([7]);
    const failing = gate({ permissionSets: [9, 3] }, async () => {
      throw new Error('WeChat down');
    });
    expect(await failing.permissionSetsAfterRefusal(T)).toEqual([3, 9]);
  });
});
