// Public door of the WeChat simulator: the gateway's sandbox mode and the tests import only this.
export { startWeChatSimulator, type WeChatSimulator } from './simulator';
export type { SimulatorOptions, ResolvedOptions, AuthorizationPushMode } from './options';
export { API_NAMES, PERMISSION_SETS, DEFAULT_GRANTED_SETS, type ApiName } from './api-names';
export type { CallLogEntry, CallFilter } from './call-log';
export type { PushRecord, PushInfoType } from './pusher';
export type { Fault, FaultInput, FaultType } from './faults';
export type { AuthorizerView } from './authorizers';
export type { AuthorizeResult, ControlPushMode } from './core';
export type { SimSettings, SentCustomMessage } from './state';
export type {
  CreateAuthorizerRequest,
  CreateAuthorizerResult,
  UpdateAuthorizerRequest,
  NextAuthorizationRequest,
  ExpireTokensRequest,
} from './control/authorizers.control';
export type { QuotaRequest } from './control/faults-quotas.control';
export type { SettingsRequest } from './control/settings.control';
export type { SendMessageRequest } from './control/messages.control';
export { GO_LIVE_TEST_APPIDS, type GoLiveCheckRequest, type GoLiveCheckResult, type GoLiveCase } from './control/go-live-check';
export type { MessageExchange, MessageReply } from './follower-messages';
export { ControlError } from './errors';
