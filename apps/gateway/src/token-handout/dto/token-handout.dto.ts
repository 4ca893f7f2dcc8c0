import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NoControlCharacters } from '../../platform/validation/no-control-characters';

export class AuthorizerTokenView {
  @ApiProperty({ description: 'The Official Account the token is for' }) appId: string;
  @ApiProperty({ description: 'The authorizer access token (a secret: do not log or cache it past expiresAt)' })
  accessToken: string;
  @ApiProperty({ format: 'date-time', description: 'Never less than 5 minutes away when handed out' }) expiresAt: string;
}

export class ComponentTokenView {
  @ApiProperty() componentAppId: string;
  @ApiProperty({ description: 'The component access token (a secret)' }) accessToken: string;
  @ApiProperty({ format: 'date-time', description: 'Never less than 5 minutes away when handed out' }) expiresAt: string;
}

export class TokenInvalidationDto {
  @ApiProperty({ description: 'The token WeChat rejected (40001/40014/42001)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  accessToken: string;
}

export class CreateTokenKeyDto {
  @ApiProperty({ maxLength: 100, description: 'What the key is for, e.g. the service that holds it' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @NoControlCharacters()
  name: string;
}

export class TokenKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedTokenKeyView extends TokenKeyView {
  @ApiProperty({ description: '`wtt_…`, shown once: it may read this tenant’s authorizer token and nothing else' })
  apiKey: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The key’s stable id (equal to id): the audit trail names the key by it (actorName)',
  })
  keyId: string;
}

export class TokenKeyListView {
  @ApiProperty({ type: [TokenKeyView] }) items: TokenKeyView[];
}
