import type { ActiveAccount, ActiveAccounts } from '../authorizers/active-accounts';
import type { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import type { AuthorizersRepository } from '../authorizers/authorizers.repository';
import type { Transactions } from '../platform/database/transactions';
import type { PushAuthenticator } from '../push-auth/push-authentication';
import type { TenantId } from '../tenants/tenant-id';
import type { WebhookPublisher } from '../webhooks/webhook-publisher';
import { WeChatMessagesService } from './follower-messages.service';
import type { GoLiveResponder } from './go-live-responder';
import type { MessageMetrics } from './message-metrics';
import type { MessageReceiptsRepository } from './message-receipts.repository';

const A = '11111111-1111-4111-8111-111111111111' as TenantId;
const B = '22222222-2222-4222-8222-222222222222' as TenantId;
const APP = 'wxaccount0000001';

/**
 * Which tenant a follower's message reaches when the per-process copy of "whose account is this"
 * and the database disagree (the copy is dropped by a notice, which may still be on its way).
 */
describe('WeChatMessagesService: the copy of the account’s tenant against the database', () => {
  function service(opts: { copy: ActiveAccount | undefined; database: TenantId | undefined }) {
    const published: string[] = [];
    const outcomes: [string | undefined, string][] = [];
    const message = { ToUserName: 'gh_shop', FromUserName: 'o-follower', MsgType: 'text', Content: 'hi', MsgId: '1' };
    const s = new WeChatMessagesService(
      { authenticate: () => ({ message }) } as unknown as PushAuthenticator,
      {
        activeTenantIdForAppId: () => Promise.resolve(opts.database),
        activeAccountForAppId: () => Promise.resolve(opts.database && { tenantId: opts.database, userName: 'gh_shop' }),
      } as unknown as AuthorizersRepository,
      { forAppId: () => Promise.resolve(opts.copy) } as unknown as ActiveAccounts,
      { readOriginalId: () => Promise.resolve('gh_shop') } as unknown as AuthorizerAccountsService,
      {
        // Stored only while the account's active tenant is the one forwarded to, as the statement checks.
        claimForTenant: (_m: unknown, tenantId: TenantId) =>
          Promise.resolve(tenantId === opts.database ? { first: true } : 'not-for-tenant'),
      } as unknown as MessageReceiptsRepository,
      {
        publish: (_m: unknown, e: { tenantId: string }) => {
          published.push(e.tenantId);
          return Promise.resolve({ eventId: 'e', deliveries: 1 });
        },
      } as unknown as WebhookPublisher,
      { run: (fn: (m: unknown) => Promise<unknown>) => fn({}) } as unknown as Transactions,
      { isTestAccount: () => false } as unknown as GoLiveResponder,
      { message: (t: string | undefined, o: string) => outcomes.push([t, o]) } as unknown as MessageMetrics,
    );
    const receive = () => s.receive(APP, {} as never, {} as never);
    return { receive, published, outcomes };
  }

  it('forwards to the tenant the copy names when the database agrees', async () => {
    const x = service({ copy: { tenantId: A, userName: 'gh_shop' }, database: A });
    await expect(x.receive()).resolves.toBe('success');
    expect(x.published).toEqual([A]);
    expect(x.outcomes).toEqual([[A, 'forwarded']]);
  });

  it('forwards to the new tenant when the account has just moved there and the copy still names the old one', async () => {
    const x = service({ copy: { tenantId: A, userName: 'gh_shop' }, database: B });
    await expect(x.receive()).resolves.toBe('success');
    expect(x.published).toEqual([B]);
    expect(x.outcomes).toEqual([[B, 'forwarded']]);
  });

  it('forwards nothing when the copy names a tenant and the account has no active tenant any more', async () => {
    const x = service({ copy: { tenantId: A, userName: 'gh_shop' }, database: undefined });
    await expect(x.receive()).resolves.toBe('success');
    expect(x.published).toEqual([]);
    expect(x.outcomes).toEqual([[A, 'no_active_tenant']]);
  });

  it('forwards nothing for an account no tenant holds', async () => {
    const x = service({ copy: undefined, database: undefined });
    await expect(x.receive()).resolves.toBe('success');
    expect(x.published).toEqual([]);
    expect(x.outcomes).toEqual([[undefined, 'no_active_tenant']]);
  });
});
