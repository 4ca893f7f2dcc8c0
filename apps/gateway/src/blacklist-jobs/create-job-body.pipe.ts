import { Injectable, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { assertOnlyKeys, JOB_MAX_OPENIDS, validateAction, validateOpenIds } from '../blacklist/openid-validation';
import { JobNotFoundError } from './blacklist-jobs.errors';
import { CreateBlacklistJobRequest } from './dto/blacklist-jobs.dto';

/** `{ action, openids }` of POST .../blacklist/jobs, checked by the fast loop (openid-validation.ts). */
@Injectable()
export class CreateBlacklistJobBodyPipe implements PipeTransform<unknown, CreateBlacklistJobRequest> {
  transform(body: unknown): CreateBlacklistJobRequest {
    const fields = assertOnlyKeys(body, ['action', 'openids']);
    const action = validateAction(fields.action);
    const openids = validateOpenIds(fields.openids, JOB_MAX_OPENIDS);
    return Object.assign(new CreateBlacklistJobRequest(), { action, openids });
  }
}

/**
 * `:jobId`: a UUID, lower-cased. Anything else names no job, so it answers 404 JOB_NOT_FOUND
 * like an unknown (or another tenant's) job, not 400.
 */
@Injectable()
export class JobIdPipe implements PipeTransform<string, Promise<string>> {
  private readonly uuid = new ParseUUIDPipe({ exceptionFactory: () => new JobNotFoundError() });

  async transform(value: string): Promise<string> {
    const id = await this.uuid.transform(value, { type: 'param' });
    if (typeof id !== 'string') throw new JobNotFoundError();
    return id.toLowerCase();
  }
}
