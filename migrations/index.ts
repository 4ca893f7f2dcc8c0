/** Every migration, in order. The app and the CLI data source both read this list. */
import { TenantOnboarding1795630001921 } from './1795630001921-TenantOnboarding';
import { Blacklist1795630100000 } from './1795630100000-Blacklist';
import { Webhooks1795630200000 } from './1795630200000-Webhooks';
import { TicketStaleNotice1795630300000 } from './1795630300000-TicketStaleNotice';
import { MessageReceipts1795630400000 } from './1795630400000-MessageReceipts';
import { TokenKeysAndCallAudit1795630500000 } from './1795630500000-TokenKeysAndCallAudit';
import { OnboardingQuota1795630600000 } from './1795630600000-OnboardingQuota';
import { SystemAuditActor1795630700000 } from './1795630700000-SystemAuditActor';
import { JobResentAfterUnknownOutcome1795630800000 } from './1795630800000-JobResentAfterUnknownOutcome';
import { AuthorizerListReconciled1795630900000 } from './1795630900000-AuthorizerListReconciled';
import { JobRetryWindowState1795631000000 } from './1795631000000-JobRetryWindowState';
import { ChangeNotices1795631200000 } from './1795631200000-ChangeNotices';
import { ComponentTokenEarlyRenewal1795631300000 } from './1795631300000-ComponentTokenEarlyRenewal';
import { ReconcileOnPgBoss1795631450000 } from './1795631450000-ReconcileOnPgBoss';
import { WebhookEventsCreatedIndex1795631460000 } from './1795631460000-WebhookEventsCreatedIndex';
import { AuthorizerUserName1796633305246 } from './1796633305246-AuthorizerUserName';
import { WebOAuthAndJsTickets1796700000000 } from './1796700000000-WebOAuthAndJsTickets';
import { AuditActorNames1796700100000 } from './1796700100000-AuditActorNames';
import { WeChatCallCounts1796700300000 } from './1796700300000-WeChatCallCounts';
import { AuditListingIndexes1796700400000 } from './1796700400000-AuditListingIndexes';

export const MIGRATIONS: Function[] = [
  TenantOnboarding1795630001921,
  Blacklist1795630100000,
  Webhooks1795630200000,
  TicketStaleNotice1795630300000,
  MessageReceipts1795630400000,
  TokenKeysAndCallAudit1795630500000,
  OnboardingQuota1795630600000,
  SystemAuditActor1795630700000,
  JobResentAfterUnknownOutcome1795630800000,
  AuthorizerListReconciled1795630900000,
  JobRetryWindowState1795631000000,
  ChangeNotices1795631200000,
  ComponentTokenEarlyRenewal1795631300000,
  ReconcileOnPgBoss1795631450000,
  WebhookEventsCreatedIndex1795631460000,
  AuthorizerUserName1796633305246,
  WebOAuthAndJsTickets1796700000000,
  AuditActorNames1796700100000,
  WeChatCallCounts1796700300000,
  AuditListingIndexes1796700400000,
];
