import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class JsSdkSignatureDto {
  @ApiProperty({
    description: 'The page’s full URL without `#` and what follows (location.href.split("#")[0]); signed exactly as given',
    example: 'https://h5.merchant.example/member?from=menu',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  url: string;
}

/** Ready for wx.config({ appId, timestamp, nonceStr, signature, jsApiList }). */
export class JsSdkSignatureView {
  @ApiProperty({ description: 'The Official Account (authorizer) appid' }) appId: string;
  @ApiProperty({ description: 'Unix seconds' }) timestamp: number;
  @ApiProperty() nonceStr: string;
  @ApiProperty({ description: 'SHA-1 (hex) of jsapi_ticket=…&noncestr=…&timestamp=…&url=…' }) signature: string;
}

export class JsTicketView {
  @ApiProperty({ description: 'The Official Account (authorizer) appid' }) appId: string;
  @ApiProperty({ enum: ['jsapi', 'wx_card'] }) type: 'jsapi' | 'wx_card';
  @ApiProperty({ description: 'The ticket (a secret: do not log it or keep it past expiresAt)' }) ticket: string;
  @ApiProperty({ format: 'date-time', description: 'Never less than 5 minutes away when handed out' }) expiresAt: string;
}

export class JsTicketInvalidationDto {
  @ApiProperty({ description: 'The ticket WeChat (or the JS-SDK) rejected' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  ticket: string;
}
