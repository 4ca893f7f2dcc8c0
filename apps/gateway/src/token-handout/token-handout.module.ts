import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../platform/auth/auth.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { TenantsModule } from '../tenants/tenants.module';
import { TokenHandoutController } from './token-handout.controller';
import { TokenHandoutService } from './token-handout.service';
import { TokenKeysController } from './token-keys.controller';
import { TokenKeysService } from './token-keys.service';

/** The central token service for the provider's own services: token hand-out and the token keys allowed to read them. */
@Module({
  imports: [AuthModule, AuthorizersModule, ComponentModule, AuditModule, TenantsModule],
  controllers: [TokenHandoutController, TokenKeysController],
  providers: [TokenHandoutService, TokenKeysService],
})
export class TokenHandoutModule {}
