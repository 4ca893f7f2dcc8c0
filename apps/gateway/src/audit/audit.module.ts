import { Module } from '@nestjs/common';
import { AllAuditEventsController, AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuditRetention } from './audit-retention.schedule';

@Module({
  controllers: [AuditController, AllAuditEventsController],
  providers: [AuditRepository, AuditService, AuditRetention],
  exports: [AuditService],
})
export class AuditModule {}
