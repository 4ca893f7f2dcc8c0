// The only public door of @app/wechat: everything WeChat-specific (protocol,
// crypto, errcode translation) stays behind it.

// Errors
export { WeChatError, type WeChatErrorCode } from './errors/wechat-error';
export {
  WeChatApiError,
  WeChatTransportError,
  WeChatRequestError,
  isOutcomeUnknown,
  type WeChatTransportReason,
} from './errors/api-errors';
export { WECHAT_ERROR_KINDS, classifyErrcode, type WeChatErrorKind } from './errors/error-kinds';
export {
  WeChatCryptoError,
  SignatureMismatchError,
  InvalidPaddingError,
  AppIdMismatchError,
  MessageLengthError,
  InvalidCiphertextError,
  InvalidEncodingAesKeyError,
} from './errors/crypto-errors';
export { WeChatXmlError } from './errors/xml-error';

// Push encryption and XML
export {
  WeChatMessageCrypto,
  type MessageCryptoOptions,
  type DecryptedMessage,
  type EncryptedPush,
} from './crypto/message-crypto';
export {
  parseWeChatXml,
  parseWeChatXmlTree,
  buildWeChatXml,
  DEFAULT_MAX_XML_BYTES,
  type ParseWeChatXmlOptions,
  type WeChatXmlValue,
  type WeChatXmlObject,
} from './xml/wechat-xml';

// HTTP and typed clients
export type { WeChatApiName, WeChatCallTarget } from './types';
export {
  WeChatHttp,
  type WeChatCallOptions,
  type WeChatForwardRequest,
  type WeChatForwardedReply,
  type WeChatHttpOptions,
  type WeChatRetryOptions,
  type WeChatCallEvent,
  type WeChatCallOutcome,
} from './http/wechat-http';
export { ComponentApi, permissionSetIds } from './component/component-api';
export type * from './component/types';
export { BlacklistApi, MAX_OPENIDS_PER_BATCH, nextBlacklistCursor } from './blacklist/blacklist-api';
export type * from './blacklist/types';
export { MessageApi } from './message/message-api';
export type * from './message/types';
export { WebOAuthApi } from './web-oauth/web-oauth-api';
export type * from './web-oauth/types';
export { TicketApi, jssdkSignature, JS_TICKET_TYPES, type JsTicketType, type GetTicketResponse } from './jssdk/jssdk';

// Permission sets
export {
  API_PERMISSION_SETS,
  PERMISSION_SET_NAMES,
  PERMISSION_SET_NAMES_ZH,
  requiredPermissionSets,
  isApiAllowed,
  missingPermissionSets,
  type OfficialAccountApi,
} from './permissions/permission-sets';
export {
  API_PATH_RULES,
  apiPathRule,
  apiRule,
  isWeChatApiPath,
  type ApiPathRule,
  type WeChatApiPath,
} from './permissions/proxy-paths';
