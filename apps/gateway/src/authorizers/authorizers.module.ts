import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ComponentModule } from '../component/component.module';
import { TenantsModule } from '../tenants/tenants.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ActiveAccounts } from './active-accounts';
import { AuthorizerAccountsService } from './authorizer-accounts.service';
import { AuthorizerListService } from './authorizer-list.service';
import { AuthorizerReconcileSchedule } from './authorizer-reconcile.schedule';
import { AuthorizerReconciliationService } from './authorizer-reconciliation.service';
import { AuthorizerSnapshots } from './authorizer-snapshots';
import { AuthorizerTokenRenewer } from './authorizer-token-renewer';
import { AuthorizerTokensService } from './authorizer-tokens.service';
import { AuthorizersRepository } from './authorizers.repository';

@Module({
  imports: [WeChatModule, ComponentModule, TenantsModule, WebhooksModule, AuditModule],
  providers: [
    AuthorizersRepository,
    AuthorizerAccountsService,
    AuthorizerTokensService,
    AuthorizerListService,
    AuthorizerReconciliationService,
    AuthorizerReconcileSchedule,
    AuthorizerTokenRenewer,
    AuthorizerSnapshots,
    ActiveAccounts,
  ],
  exports: [AuthorizersRepository, AuthorizerAccountsService, AuthorizerTokensService, ActiveAccounts],
})
export class AuthorizersModule {}
