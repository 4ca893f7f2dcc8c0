import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { WebOAuthRepository } from './web-oauth.repository';

/** States live 10 minutes and tickets 60 s: a day after they lapsed, nothing can use them. */
@CronTask('web-oauth-sweep')
@Injectable()
export class WebOAuthSweep implements CronTaskHandler {
  private readonly logger = new Logger(WebOAuthSweep.name);

  constructor(private readonly flows: WebOAuthRepository) {}

  async run(): Promise<void> {
    const removed = await this.flows.deleteLapsed();
    this.logger.log({ removed }, 'lapsed web-authorization states and tickets removed');
  }
}
