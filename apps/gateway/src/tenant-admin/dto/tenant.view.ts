import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TenantView } from '../../tenants/dto/tenant.view';
import type { TenantStatus } from '../../tenants/tenant.entity';

export { TenantView };

export class CreatedTenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ enum: ['pending'] }) status: TenantStatus;
  @ApiProperty({ description: 'The tenant key: shown this once, never again.' }) apiKey: string;
  @ApiProperty({ description: 'The tenant key’s stable id: the audit trail names the key by it (actorName)' }) keyId: string;
  @ApiProperty() createdAt: string;
}

export class TenantPageView {
  @ApiProperty({ type: [TenantView] }) items: TenantView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor: string | null;
}

export class ApiKeyView {
  @ApiProperty({ description: 'The new tenant key; the previous one stopped working.' }) apiKey: string;
  @ApiProperty({ description: 'The new key’s stable id: the audit trail names the key by it (actorName)' }) keyId: string;
}
