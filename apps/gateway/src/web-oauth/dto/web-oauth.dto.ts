import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoControlCharacters } from '../../platform/validation/no-control-characters';

export class RedeemWebOAuthTicketDto {
  @ApiProperty({ description: 'The `wtg_ticket` the returnUrl received (`wor_…`, single use, 60 s)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  ticket: string;
}

export class ExchangeWebOAuthCodeDto {
  @ApiProperty({ description: 'The `code` WeChat appended to your own callback (single use, about 5 minutes)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  @NoControlCharacters()
  code: string;

  @ApiPropertyOptional({ enum: ['snsapi_base', 'snsapi_userinfo'], description: 'The scope the code was asked with' })
  @IsOptional()
  @IsIn(['snsapi_base', 'snsapi_userinfo'])
  scope?: 'snsapi_base' | 'snsapi_userinfo';
}

/** The profile as WeChat's sns/userinfo gave it. */
export class WebOAuthUserView {
  @ApiProperty() nickname: string;
  @ApiProperty({ description: '1 male, 2 female, 0 unknown' }) sex: number;
  @ApiProperty() province: string;
  @ApiProperty() city: string;
  @ApiProperty() country: string;
  @ApiProperty() headimgurl: string;
  @ApiProperty({ type: [String] }) privilege: string[];
}

export class WebOAuthResultView {
  @ApiProperty({ description: 'The Official Account (authorizer) appid' }) appId: string;
  @ApiProperty({ description: 'The follower, as this Official Account knows them' }) openid: string;
  @ApiPropertyOptional({ description: 'When the account is bound to an open-platform account' }) unionid?: string;
  @ApiProperty({ enum: ['snsapi_base', 'snsapi_userinfo'] }) scope: 'snsapi_base' | 'snsapi_userinfo';
  @ApiPropertyOptional({ type: WebOAuthUserView, description: 'snsapi_userinfo only' }) user?: WebOAuthUserView;
}
