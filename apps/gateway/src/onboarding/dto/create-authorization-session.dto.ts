import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoControlCharacters } from '../../platform/validation/no-control-characters';
import { OptionalNotNull } from '../../platform/validation/optional-not-null';

export class CreateAuthorizationSessionDto {
  @ApiPropertyOptional({ enum: [1, 2, 3], default: 1, description: '1 Official Accounts, 2 Mini Programs, 3 both' })
  @IsOptional()
  @IsIn([1, 2, 3])
  authType?: 1 | 2 | 3;

  @ApiPropertyOptional({
    description:
      'Where the merchant’s browser goes afterwards, with tenantId and status added. Absolute http(s) URL (https only in ' +
      'production mode), no credentials, no leading or trailing spaces; its origin must be in ONBOARDING_RETURN_URL_ORIGINS ' +
      'when that is set. With a tenant key, its origin must be listed there (RETURN_URL_NOT_ALLOWED otherwise, and ' +
      'always while that setting is unset).',
  })
  @OptionalNotNull()
  @IsString()
  @MaxLength(2048)
  @NoControlCharacters()
  // Checked further by parseReturnUrl (the WHATWG parser the callback uses), with the mode and allowlist.
  returnUrl?: string;
}

export class AuthorizationSessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Send the merchant here; the token in it is the credential (shown once).' }) onboardingUrl: string;
  @ApiProperty() expiresAt: string;
}

export class ListAuthorizationSessionsQuery {
  @ApiPropertyOptional({
    enum: ['open'],
    default: 'open',
    description: 'Only open sessions (not completed, not expired, not closed) are listed.',
  })
  @IsOptional()
  @IsIn(['open'])
  status?: 'open';
}

export class OpenAuthorizationSessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['open'] }) status: 'open';
  @ApiProperty({ enum: [1, 2, 3] }) authType: number;
  @ApiProperty({ type: String, nullable: true }) returnUrl: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() expiresAt: string;
}

export class AuthorizationSessionListView {
  @ApiProperty({ type: [OpenAuthorizationSessionView] }) items: OpenAuthorizationSessionView[];
}
