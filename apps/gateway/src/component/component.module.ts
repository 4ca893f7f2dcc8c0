import { Module } from '@nestjs/common';
import { ComponentApi, WeChatHttp } from '@app/wechat';
import { ComponentTokenService } from './component-token.service';
import { ComponentController } from './component.controller';
import { WECHAT_HTTP_PROVIDERS } from './wechat-http.provider';

/** The component's own credentials and the WeChat HTTP client everything else calls through. */
@Module({
  controllers: [ComponentController],
  providers: [...WECHAT_HTTP_PROVIDERS, ComponentTokenService],
  exports: [WeChatHttp, ComponentApi, ComponentTokenService],
})
export class ComponentModule {}
