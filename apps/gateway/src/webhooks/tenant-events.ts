import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantId } from '../tenants/tenant-id';
import { readTenantView } from '../tenants/tenant-view';
import { TenantsRepository } from '../tenants/tenants.repository';
import { WebhookPublisher } from './webhook-publisher';

type StatusEventType = 'tenant.activated' | 'tenant.revoked' | 'tenant.reauthorization_required';

/**
 * Tenant events, each published inside the transaction of the change it reports and carrying the
 * tenant as GET /v1/tenants/:id would show it once that transaction commits.
 */
@Injectable()
export class TenantEvents {
  constructor(
    private readonly publisher: WebhookPublisher,
    private readonly tenants: TenantsRepository,
  ) {}

  async statusChanged(m: EntityManager, type: StatusEventType, tenantId: TenantId): Promise<void> {
    const tenant = await readTenantView(this.tenants, tenantId, m);
    if (!tenant) return; // deleted meanwhile: nobody to tell
    await this.publisher.publish(m, { type, tenantId, data: { tenantId, tenant: { ...tenant } } });
  }

  /** The granted permission sets changed (updateauthorized, or a re-read after 61007); no-op when they did not. */
  async permissionsChanged(m: EntityManager, tenantId: TenantId, previous: readonly number[], current: readonly number[]) {
    const before = sorted(previous);
    const after = sorted(current);
    if (before.length === after.length && before.every((s, i) => s === after[i])) return;
    const tenant = await readTenantView(this.tenants, tenantId, m);
    if (!tenant) return;
    await this.publisher.publish(m, {
      type: 'tenant.permissions_changed',
      tenantId,
      data: { tenantId, tenant: { ...tenant }, previous: before, current: after },
    });
  }
}

const sorted = (sets: readonly number[]) => [...new Set(sets)].sort((a, b) => a - b);
