import { Body, Controller, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Public } from '../auth';
import { ComponentEventsService, type PushQuery } from './component-events.service';

@Controller('wechat/component')
export class ComponentEventsController {
  constructor(private readonly events: ComponentEventsService) {}

  /** WeChat's authorization event URL. Its signature is the credential, hence @Public(). */
  @Post('events')
  @Public()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiExcludeEndpoint()
  async receive(@Query() query: PushQuery, @Body() body: unknown): Promise<string> {
    await this.events.receive(query, body);
    return 'success';
  }
}
