// The only public door of @app/wechat: everything WeChat-specific (protocol,
// crypto, errcode translation) stays behind it.
export { WeChatError } from './errors/wechat-error';
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
export {
  WeChatMessageCrypto,
  type MessageCryptoOptions,
  type DecryptedMessage,
  type EncryptedPush,
} from './crypto/message-crypto';
export {
  parseWeChatXml,
  buildWeChatXml,
  DEFAULT_MAX_XML_BYTES,
  type ParseWeChatXmlOptions,
} from './xml/wechat-xml';
