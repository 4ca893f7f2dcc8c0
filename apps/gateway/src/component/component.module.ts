import { Module } from '@nestjs/common';
import { WeChatModule } from '../wechat/wechat.module';
import { ComponentStateRepository } from './component-state.repository';
import { ComponentTokenService } from './component-token.service';
import { ComponentController } from './component.controller';

/** The component's own credentials: verify ticket and component access token. */
@Module({
  imports: [WeChatModule],
  controllers: [ComponentController],
  providers: [ComponentStateRepository, ComponentTokenService],
  exports: [ComponentTokenService],
})
export class ComponentModule {}
