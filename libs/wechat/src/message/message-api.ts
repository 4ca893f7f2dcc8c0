import { WeChatRequestError } from '../errors/api-errors';
import type { WeChatHttp } from '../http/wechat-http';
import type { CustomMessage } from './types';

/**
 * Customer-service messages, called with an authorizer's access token. A message is a write
 * WeChat cannot deduplicate, so it is sent once: a timeout or a 5xx is reported, never retried
 * (the follower would get it twice).
 */
export class MessageApi {
  constructor(private readonly http: WeChatHttp) {}

  async customSend(accessToken: string, message: CustomMessage): Promise<void> {
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new WeChatRequestError('message_custom_send: access_token is required', 'message_custom_send');
    }
    if (typeof message?.touser !== 'string' || message.touser === '') {
      throw new WeChatRequestError('message_custom_send: touser is required', 'message_custom_send');
    }
    // Not idempotent at WeChat: a lost answer is reported, never sent again (the follower would get it twice).
    await this.http.post('message_custom_send', '/cgi-bin/message/custom/send', { access_token: accessToken }, message);
  }
}
