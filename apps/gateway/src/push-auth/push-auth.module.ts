import { Module } from '@nestjs/common';
import { PushAuthenticator } from './push-authentication';

/** What both push URLs share: WeChat's push authentication and passive-reply encryption. */
@Module({
  providers: [PushAuthenticator],
  exports: [PushAuthenticator],
})
export class WeChatPushModule {}
