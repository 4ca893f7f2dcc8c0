import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ValidationError } from '@app/common';
import { BlacklistJobsController } from './blacklist-jobs.controller';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { CreateBlacklistJobBodyPipe } from './create-job-body.pipe';
import { CreateBlacklistJobRequest } from './dto/blacklist-jobs.dto';
import { BlacklistController } from '../blacklist/blacklist.controller';
import { BlacklistService } from '../blacklist/blacklist.service';
import { BlacklistChangeRequest } from '../blacklist/dto/blacklist.dto';
import { JOB_MAX_OPENIDS, SYNC_MAX_OPENIDS } from '../blacklist/openid-validation';
import { BlacklistChangeBodyPipe } from '../blacklist/openids-body.pipe';

@Module({
  controllers: [BlacklistController, BlacklistJobsController],
  providers: [
    { provide: BlacklistService, useValue: {} },
    { provide: BlacklistJobsService, useValue: {} },
  ],
})
class ContractsOnlyModule {}

describe('the blacklist request contracts', () => {
  it('the OpenAPI document states the limits the pipes enforce (maxItems = SYNC_MAX_OPENIDS / JOB_MAX_OPENIDS)', async () => {
    const app = await NestFactory.create(ContractsOnlyModule, new FastifyAdapter(), { logger: false });
    try {
      const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      const schemas = doc.components?.schemas as Record<string, { properties: Record<string, { maxItems?: number }> }>;
      expect(schemas.BlacklistChangeRequest.properties.openids.maxItems).toBe(SYNC_MAX_OPENIDS);
      expect(schemas.CreateBlacklistJobRequest.properties.openids.maxItems).toBe(JOB_MAX_OPENIDS);
    } finally {
      await app.close();
    }
  });

  it('BlacklistChangeBodyPipe returns a typed request with the distinct openids in first-seen order', () => {
    const req = new BlacklistChangeBodyPipe().transform({ openids: ['b', 'a', 'b'] });
    expect(req).toBeInstanceOf(BlacklistChangeRequest);
    expect(req.openids).toEqual(['b', 'a']);
  });

  it(`BlacklistChangeBodyPipe refuses more than ${SYNC_MAX_OPENIDS} openids and unknown properties`, () => {
    const many = Array.from({ length: SYNC_MAX_OPENIDS + 1 }, (_, i) => `o${i}`);
    expect(() => new BlacklistChangeBodyPipe().transform({ openids: many })).toThrow(ValidationError);
    expect(() => new BlacklistChangeBodyPipe().transform({ openids: ['a'], action: 'block' })).toThrow(
      expect.objectContaining({ details: { fields: [{ field: 'action', messages: ['property action should not exist'] }] } }),
    );
  });

  it('CreateBlacklistJobBodyPipe checks the action first, then the openids', () => {
    const req = new CreateBlacklistJobBodyPipe().transform({ action: 'unblock', openids: ['a'] });
    expect(req).toBeInstanceOf(CreateBlacklistJobRequest);
    expect(req).toEqual({ action: 'unblock', openids: ['a'] });
    expect(() => new CreateBlacklistJobBodyPipe().transform({ action: 'nuke', openids: 'x' })).toThrow(
      expect.objectContaining({
        details: { fields: [{ field: 'action', messages: ['action must be one of: block, unblock'] }] },
      }),
    );
  });
});
