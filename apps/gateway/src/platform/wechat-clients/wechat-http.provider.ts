import { type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { BlacklistApi, ComponentApi, MessageApi, TicketApi, WebOAuthApi, WeChatHttp } from '@app/wechat';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { MetricsService } from '../metrics/metrics.service';
import { WeChatCallCounts } from './wechat-call-counts';
import { WeChatCallCountsRepository } from './wechat-call-counts.repository';
import { WeChatCallCountsSweep } from './wechat-call-counts-sweep.schedule';

/** Closes the keep-alive agents when the application stops. */
class ClosingWeChatHttp extends WeChatHttp implements OnApplicationShutdown {
  onApplicationShutdown(): void {
    this.close();
  }
}

/**
 * The one WeChat HTTP client of the process (keep-alive agents, retries, errcode
 * translation), pointed at WECHAT_API_BASE_URL, and the typed clients built on it.
 */
export const WECHAT_HTTP_PROVIDERS: Provider[] = [
  {
    provide: WeChatHttp,
    inject: [GATEWAY_CONFIG, MetricsService, WeChatCallCounts],
    useFactory: (config: GatewayConfig, metrics: MetricsService, counts: WeChatCallCounts) =>
      new ClosingWeChatHttp({
        baseUrl: config.wechat.apiBaseUrl,
        onCall: (e) => {
          metrics.wechatCalls.inc({ api: e.api, outcome: e.outcome });
          counts.record(e.api, e.outcome);
        },
      }),
  },
  WeChatCallCountsRepository,
  WeChatCallCounts,
  WeChatCallCountsSweep,
  { provide: ComponentApi, inject: [WeChatHttp], useFactory: (http: WeChatHttp) => new ComponentApi(http) },
  { provide: BlacklistApi, inject: [WeChatHttp], useFactory: (http: WeChatHttp) => new BlacklistApi(http) },
  { provide: MessageApi, inject: [WeChatHttp], useFactory: (http: WeChatHttp) => new MessageApi(http) },
  { provide: WebOAuthApi, inject: [WeChatHttp], useFactory: (http: WeChatHttp) => new WebOAuthApi(http) },
  { provide: TicketApi, inject: [WeChatHttp], useFactory: (http: WeChatHttp) => new TicketApi(http) },
];
