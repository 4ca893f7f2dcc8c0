import { Injectable, type PipeTransform } from '@nestjs/common';
import { assertOnlyKeys, JOB_MAX_OPENIDS, validateAction, validateOpenIds } from '../blacklist/openid-validation';
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
