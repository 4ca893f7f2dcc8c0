import { Module } from '@nestjs/common';
import { BlacklistApi, ComponentApi, MessageApi, TicketApi, WebOAuthApi, WeChatHttp } from '@app/wechat';
import { WeChatCallCounts } from './wechat-call-counts';
import { WECHAT_HTTP_PROVIDERS } from './wechat-http.provider';

/** MetricsService comes from the global MetricsModule. The one place the WeChat clients are built: one HTTP client per app (metrics hook, shutdown) and its typed APIs. */
@Module({
  providers: WECHAT_HTTP_PROVIDERS,
  exports: [WeChatHttp, ComponentApi, BlacklistApi, MessageApi, WebOAuthApi, TicketApi, WeChatCallCounts],
})
export class WeChatModule {}
