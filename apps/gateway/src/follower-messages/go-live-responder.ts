import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ComponentApi, MessageApi, WeChatApiError, type WeChatXmlObject } from '@app/wechat';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { GO_LIVE_TEST_APPIDS, goLiveCase, queryAuthCodeAnswer } from './go-live-cases';
import { MessageMetrics } from './message-metrics';

/** What the message URL answers WeChat: `success`, an empty body, or a passive text reply. */
export type MessageAnswer = { kind: 'success' } | { kind: 'empty' } | { kind: 'reply'; content: string };

/** WeChat's check waits this long for the custom message; a later one counts as a failure there. */
const QUERY_AUTH_CODE_DEADLINE_MS = 10_000;

/**
 * Answers WeChat's go-live check for its test accounts (always on). Nothing about them is
 * stored but a QUERY_AUTH_CODE push's receipt (so a retry does not exchange the code again): the
 * authorizer token api_query_auth returns is used once and dropped. Each case is logged and counted.
 */
@Injectable()
export class GoLiveResponder implements OnApplicationShutdown {
  private readonly logger = new Logger(GoLiveResponder.name);
  private readonly testAppIds: ReadonlySet<string>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly componentApi: ComponentApi,
    private readonly messageApi: MessageApi,
    private readonly metrics: MessageMetrics,
  ) {
    this.testAppIds = new Set(config.goLiveTestAppIds ?? GO_LIVE_TEST_APPIDS);
  }

  isTestAccount(appId: string): boolean {
    return this.testAppIds.has(appId);
  }

  respond(appId: string, message: WeChatXmlObject): MessageAnswer {
    const testCase = goLiveCase(message);
    switch (testCase.name) {
      case 'event':
      case 'text':
        this.logger.log({ appId, case: testCase.name }, 'go-live check: passive reply');
        this.metrics.goLiveCase(testCase.name, 'replied');
        return { kind: 'reply', content: testCase.reply };
      case 'query_auth_code': {
        const touser = typeof message.FromUserName === 'string' ? message.FromUserName : '';
        const work = this.answerThroughApi(appId, testCase.authCode, touser);
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
        return { kind: 'empty' };
      }
      default:
        this.logger.log({ appId, msgType: message.MsgType }, 'go-live check: push of no known case acknowledged');
        this.metrics.goLiveCase('unknown', 'ignored');
        return { kind: 'success' };
    }
  }

  /** After the empty answer: exchange the code, send `<code>_from_api` to the sender with the token it yields. */
  private async answerThroughApi(appId: string, authCode: string, touser: string): Promise<void> {
    const started = Date.now();
    try {
      const auth = await this.componentTokens.call((token) =>
        this.componentApi.apiQueryAuth(token, {
          component_appid: this.config.wechat.componentAppId,
          authorization_code: authCode,
        }),
      );
      const accessToken = auth.authorization_info?.authorizer_access_token;
      if (!accessToken) throw new Error('api_query_auth returned no authorizer_access_token');
      await this.messageApi.customSend(accessToken, {
        touser,
        msgtype: 'text',
        text: { content: queryAuthCodeAnswer(authCode) },
      });
      const ms = Date.now() - started;
      if (ms > QUERY_AUTH_CODE_DEADLINE_MS) this.logger.warn({ appId, ms }, 'go-live check: custom message sent after 10 s');
      this.logger.log({ appId, case: 'query_auth_code', ms }, 'go-live check: custom message sent');
      this.metrics.goLiveCase('query_auth_code', 'sent');
    } catch (e) {
      const err = e as Error;
      this.logger.error(
        {
          appId,
          case: 'query_auth_code',
          errorName: err.name,
          ...(e instanceof WeChatApiError ? { api: e.api, kind: e.kind, wechatErr: e.errcode } : {}),
        },
        'go-live check: QUERY_AUTH_CODE case failed',
      );
      this.metrics.goLiveCase('query_auth_code', 'failed');
    }
  }

  /** Lets a running QUERY_AUTH_CODE case finish (it is bounded by the WeChat client's deadlines). */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
