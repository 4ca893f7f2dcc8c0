import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUrl, MaxLength } from 'class-validator';

export class CreateAuthorizationSessionDto {
  @ApiPropertyOptional({ enum: [1, 2, 3], default: 1, description: '1 Official Accounts, 2 Mini Programs, 3 both' })
  @IsOptional()
  @IsIn([1, 2, 3])
  authType?: 1 | 2 | 3;

  @ApiPropertyOptional({ description: 'Where the merchant’s browser goes afterwards, with tenantId and status added.' })
  @IsOptional()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  returnUrl?: string;
}

export class AuthorizationSessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Send the merchant here; the token in it is the credential (shown once).' }) onboardingUrl: string;
  @ApiProperty() expiresAt: string;
}
