import { WeChatError } from './wechat-error';

/** Any failure to authenticate or decrypt a WeChat push (section 4 of the contract). */
export abstract class WeChatCryptoError extends WeChatError {}

/** `msg_signature` does not match sha1(sort([token, timestamp, nonce, Encrypt])). */
export class SignatureMismatchError extends WeChatCryptoError {
  readonly code = 'WECHAT_SIGNATURE_INVALID' as const;
  constructor(message = 'WeChat msg_signature does not match') {
    super(message);
  }
}

/** PKCS#7 (32-byte block) padding is absent or inconsistent: wrong key or tampered ciphertext. */
export class InvalidPaddingError extends WeChatCryptoError {
  readonly code = 'WECHAT_PADDING_INVALID' as const;
  constructor(message = 'WeChat ciphertext has invalid PKCS#7 padding') {
    super(message);
  }
}

/** The appid tail of the plaintext is not ours: the push was meant for another platform. */
export class AppIdMismatchError extends WeChatCryptoError {
  readonly code = 'WECHAT_APPID_MISMATCH' as const;
  constructor(message = 'WeChat message appid does not match') {
    super(message);
  }
}

/** The 4-byte length prefix does not fit the plaintext. */
export class MessageLengthError extends WeChatCryptoError {
  readonly code = 'WECHAT_MESSAGE_LENGTH_INVALID' as const;
  constructor(message = 'WeChat message length prefix is inconsistent') {
    super(message);
  }
}

/** The `Encrypt` value is not base64 of whole AES blocks; no key could ever decrypt it. */
export class InvalidCiphertextError extends WeChatCryptoError {
  readonly code = 'WECHAT_CIPHERTEXT_INVALID' as const;
  constructor(message = 'WeChat Encrypt value is not valid AES-CBC ciphertext') {
    super(message);
  }
}

/** EncodingAESKey must be 43 base64 characters decoding to 32 bytes. Thrown at construction. */
export class InvalidEncodingAesKeyError extends WeChatCryptoError {
  readonly code = 'WECHAT_ENCODING_AES_KEY_INVALID' as const;
  constructor(message = 'EncodingAESKey must be 43 base64 characters decoding to 32 bytes') {
    super(message);
  }
}
