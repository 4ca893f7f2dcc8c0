import { ApiProperty } from '@nestjs/swagger';
import { TENANT_STATUSES, type TenantStatus } from '../tenant.entity';

/** What GET /v1/tenants/:id answers, and what tenant webhook events carry as `tenant`. */
export class AuthorizerView {
  @ApiProperty() appId: string;
  @ApiProperty({ nullable: true, type: String }) nickName: string | null;
  @ApiProperty({ nullable: true, type: String }) principalName: string | null;
  @ApiProperty({ nullable: true, type: Number, description: '0/1 subscription account, 2 service account' }) serviceType:
    number | null;
  @ApiProperty() verified: boolean;
  @ApiProperty({ type: [Number] }) permissionSets: number[];
  @ApiProperty() authorizedAt: string;
  @ApiProperty() updatedAt: string;
}

export class CapabilitiesView {
  @ApiProperty({ description: 'Active, verified, and granted a permission set the blacklist APIs accept (2 or 100).' })
  blacklist: boolean;
}

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ enum: TENANT_STATUSES }) status: TenantStatus;
  @ApiProperty({ nullable: true, type: AuthorizerView }) authorizer: AuthorizerView | null;
  @ApiProperty({ type: CapabilitiesView }) capabilities: CapabilitiesView;
  @ApiProperty({
    type: [String],
    description: 'Origins (`scheme://host[:port]`) a web-authorization returnUrl may point at; [] refuses every returnUrl',
  })
  webOAuthOrigins: string[];
  @ApiProperty() createdAt: string;
}
