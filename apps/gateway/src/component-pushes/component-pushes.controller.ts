import { type EncryptedPush, EncryptedPushPipe } from '../push-auth/encrypted-push.pipe';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Public } from '../platform/auth';
import { type PushQuery, SignedPushQuery } from '../push-auth/push.query';
import { WeChatEventsService } from './component-pushes.service';

@Controller('wechat/component')
export class WeChatEventsController {
  constructor(private readonly events: WeChatEventsService) {}

  /** WeChat's authorization event URL. Its signature is the credential, hence @Public(). */
  @Post('events')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async receive(
    @SignedPushQuery() query: PushQuery,
    @Body(EncryptedPushPipe) body: EncryptedPush,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    await this.events.receive(query, body);
    // Exactly `success`, as text: anything else makes WeChat retry.
    res.type('text/plain');
    return 'success';
  }
}
