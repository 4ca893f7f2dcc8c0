import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@app/common';
import type { ActingParty } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { generateTenantApiKey, hashApiKey, tenantKeyId } from '../platform/auth/api-keys';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { parseWebOrigin } from '../platform/validation/web-origin';
import { AuthorizersRepository } from '../authorizers/authorizers.repository';
import { toTenantView } from '../tenants/tenant-view';
import { Transactions } from '../platform/database/transactions';
import { OnboardingRepository } from '../onboarding/onboarding.repository';
import type { TenantId } from '../tenants/tenant-id';
import type { TenantStatus } from '../tenants/tenant.entity';
import { TenantNotFoundError } from '../tenants/tenant.errors';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TenantViews } from '../tenants/tenant-views';
import { keysetCursor } from '../platform/validation/page-cursor';
import type { CreatedTenantView, TenantPageView, TenantView } from './dto/tenant.view';

const DEFAULT_PAGE = 20;

/**
 * The operator's view of tenants: creation, listing, keys and deletion. It sits above
 * authorizers and onboarding because a tenant's view shows its bound account and deleting a
 * tenant closes its onboarding and unbinds its account; the tenant aggregate itself stays at
 * the bottom of the graph.
 */
@Injectable()
export class TenantAdminService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly views: TenantViews,
    private readonly authorizers: AuthorizersRepository,
    private readonly onboarding: OnboardingRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async create(input: { name: string; externalId?: string }, by: ActingParty): Promise<CreatedTenantView> {
    const apiKey = generateTenantApiKey();
    const keyId = tenantKeyId(hashApiKey(apiKey));
    const t = await this.transactions.run(async (m) => {
      const created = await this.tenants.create(
        { name: input.name, externalId: input.externalId ?? null, apiKeyHash: hashApiKey(apiKey) },
        m,
      );
      await this.audit.recordChange(created.id, by, 'tenant.created', { keyId }, m);
      return created;
    });
    return {
      id: t.id,
      name: t.name,
      externalId: t.externalId,
      status: t.status,
      apiKey,
      keyId,
      createdAt: t.createdAt.toISOString(),
    };
  }

  async get(tenantId: TenantId): Promise<TenantView> {
    const view = await this.views.view(tenantId);
    if (!view) throw new TenantNotFoundError();
    return view;
  }

  async list(query: { status?: TenantStatus; limit?: number; cursor?: string }): Promise<TenantPageView> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const position = query.cursor ? keysetCursor.decode(query.cursor) : undefined;
    const after = position && { createdAt: position.at.toISOString(), id: position.id };
    const rows = await this.tenants.listWithAccount({ status: query.status, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTenantView),
      nextCursor: rows.length > limit ? keysetCursor.encode({ at: last.createdAt, id: last.id }) : null,
    };
  }

  /** Operator settings of a tenant; fields left out stay as they are. */
  async update(tenantId: TenantId, input: { webOAuthOrigins?: string[] }): Promise<TenantView> {
    if (input.webOAuthOrigins !== undefined) {
      const httpsOnly = this.config.mode === 'production';
      const origins = input.webOAuthOrigins.map((raw, i) => {
        const origin = parseWebOrigin(raw, httpsOnly);
        if (origin) return origin;
        throw new ValidationError('The request is invalid.', {
          fields: [
            {
              field: `webOAuthOrigins[${i}]`,
              messages: [`must be an origin (${httpsOnly ? 'https' : 'http(s)'}://host[:port], no path)`],
            },
          ],
        });
      });
      if (!(await this.tenants.setWebOAuthOrigins(tenantId, [...new Set(origins)]))) throw new TenantNotFoundError();
    }
    return this.get(tenantId);
  }

  /** Issues a new key; the old digest is overwritten, so the previous key stops working at once. */
  async rotateApiKey(tenantId: TenantId, by: ActingParty): Promise<{ apiKey: string; keyId: string }> {
    const apiKey = generateTenantApiKey();
    const keyId = tenantKeyId(hashApiKey(apiKey));
    await this.transactions.run(async (m) => {
      if (!(await this.tenants.replaceApiKeyHash(tenantId, hashApiKey(apiKey), m))) throw new TenantNotFoundError();
      await this.audit.recordChange(tenantId, by, 'tenant.api_key_rotated', { keyId }, m);
    });
    return { apiKey, keyId };
  }

  /**
   * Soft delete: the row stays for audit history, but the tenant vanishes from every lookup,
   * its key digest is replaced by one of a key nobody holds, and its authorizer row (tokens,
   * and the binding of the Official Account) is removed, all in one transaction with its audit event.
   */
  async delete(tenantId: TenantId, by: ActingParty): Promise<void> {
    await this.transactions.run(async (m) => {
      if (!(await this.tenants.softDelete(tenantId, hashApiKey(generateTenantApiKey()), m))) throw new TenantNotFoundError();
      await this.authorizers.deleteForTenant(tenantId, m);
      await this.onboarding.closeForTenant(tenantId, m);
      await this.audit.recordChange(tenantId, by, 'tenant.deleted', null, m);
    });
  }
}
