import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ComponentModule } from '../component/component.module';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule, ComponentModule], controllers: [HealthController] })
export class HealthModule {}
