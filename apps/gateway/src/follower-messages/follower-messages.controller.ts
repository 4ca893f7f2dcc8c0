import { type EncryptedPush, EncryptedPushPipe } from '../push-auth/encrypted-push.pipe';
import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../platform/auth';
import { type PushQuery, SignedPushQuery } from '../push-auth/push.query';
import { PushRejectedError } from '../push-auth/push-rejected.error';
import { WeChatMessagesService } from './follower-messages.service';

const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

@Controller('wechat/authorizers')
export class WeChatMessagesController {
  constructor(private readonly messages: WeChatMessagesService) {}

  /**
   * The "message and event URL" (console template `.../wechat/authorizers/$APPID$/events`). Its
   * signature is the credential, hence @Public().
   */
  @Post(':appid/events')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async receive(
    @Param('appid') appId: string,
    @SignedPushQuery() query: PushQuery,
    @Body(EncryptedPushPipe) body: EncryptedPush,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    if (!APP_ID.test(appId)) throw new PushRejectedError('appid in the URL is malformed');
    const answer = await this.messages.receive(appId, query, body);
    // `success` and the empty answer as plain text; a passive reply is XML.
    res.type(answer.startsWith('<xml>') ? 'text/xml' : 'text/plain');
    return answer;
  }
}
