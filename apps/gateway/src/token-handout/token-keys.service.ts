import { Injectable } from '@nestjs/common';
import type { ActingParty } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { generateTokenKey, hashApiKey, TokenKeysRepository } from '../platform/auth';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotFoundError } from '../tenants/tenant.errors';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { CreatedTokenKeyView, TokenKeyListView } from './dto/token-handout.dto';
import { TokenKeyNotFoundError } from './token-keys.errors';

/** Token keys of a tenant (operator routes): issued once in clear, then only listed by name. */
@Injectable()
export class TokenKeysService {
  constructor(
    private readonly keys: TokenKeysRepository,
    private readonly tenants: TenantsRepository,
    private readonly audit: AuditService,
  ) {}

  async create(tenantId: TenantId, name: string, by: ActingParty): Promise<CreatedTokenKeyView> {
    await this.requireTenant(tenantId);
    const apiKey = generateTokenKey();
    const key = await this.keys.create(tenantId, { name, keyHash: hashApiKey(apiKey) });
    await this.audit.recordChange(tenantId, by, 'token_key.issued', { tokenKeyId: key.id, keyName: key.name });
    return { id: key.id, keyId: key.id, name: key.name, apiKey, createdAt: key.createdAt.toISOString() };
  }

  async list(tenantId: TenantId): Promise<TokenKeyListView> {
    await this.requireTenant(tenantId);
    const keys = await this.keys.list(tenantId);
    return { items: keys.map((k) => ({ id: k.id, name: k.name, createdAt: k.createdAt.toISOString() })) };
  }

  /** `keyId`: undefined when the path segment is no UUID (it names no key). */
  async revoke(tenantId: TenantId, keyId: string | undefined, by: ActingParty): Promise<void> {
    await this.requireTenant(tenantId);
    if (!keyId || !(await this.keys.delete(tenantId, keyId))) throw new TokenKeyNotFoundError();
    await this.audit.recordChange(tenantId, by, 'token_key.revoked', { tokenKeyId: keyId });
  }

  // Operator routes: the guard does not look the tenant up, so a deleted or unknown one is refused here.
  private async requireTenant(tenantId: TenantId): Promise<void> {
    if (!(await this.tenants.isLive(tenantId))) throw new TenantNotFoundError();
  }
}
