import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto';
import {
  AppIdMismatchError,
  InvalidCiphertextError,
  InvalidEncodingAesKeyError,
  InvalidPaddingError,
  MessageLengthError,
  SignatureMismatchError,
} from '../errors/crypto-errors';
import { buildWeChatXml } from '../xml/wechat-xml';

export interface MessageCryptoOptions {
  token: string;
  encodingAESKey: string;
  appId: string;
  /** Kept during a key rotation so pushes encrypted with the old key still decrypt. */
  previousEncodingAESKey?: string;
}

export interface DecryptedMessage {
  message: string;
  appId: string;
}

export interface EncryptedPush {
  body: string;
  query: {
    timestamp: string;
    nonce: string;
    encrypt_type: 'aes';
    msg_signature: string;
  };
}

/** WeChat pads to 32-byte blocks (not AES's 16), so pad bytes range 1..32. */
const PAD_BLOCK = 32;
const RANDOM_LENGTH = 16;
const HEADER_LENGTH = RANDOM_LENGTH + 4;
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface AesKey {
  /** Made once: given a raw Buffer, Node imports and checks the key on every call. */
  key: KeyObject;
  iv: Buffer;
}

function parseEncodingAesKey(encodingAESKey: unknown, which: string): AesKey {
  // Node's base64 decoder silently skips junk, so check the alphabet and length first.
  if (typeof encodingAESKey !== 'string' || !ENCODING_AES_KEY.test(encodingAESKey)) {
    throw new InvalidEncodingAesKeyError(`${which} must be 43 base64 characters decoding to 32 bytes`);
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) {
    throw new InvalidEncodingAesKeyError(`${which} does not decode to 32 bytes`);
  }
  return { key: createSecretKey(key), iv: key.subarray(0, 16) };
}

/**
 * WXBizMsgCrypt (contract section 4): signs, verifies, encrypts and decrypts
 * the `Encrypt` field of WeChat pushes. Stateless apart from its keys, so one
 * instance can be shared by concurrent requests.
 */
export class WeChatMessageCrypto {
  private readonly token: string;
  private readonly appId: string;
  private readonly current: AesKey;
  private readonly previous?: AesKey;

  constructor(opts: MessageCryptoOptions) {
    if (!opts?.token) throw new TypeError('WeChatMessageCrypto: token is required');
    if (!opts.appId) throw new TypeError('WeChatMessageCrypto: appId is required');
    this.token = opts.token;
    this.appId = opts.appId;
    this.current = parseEncodingAesKey(opts.encodingAESKey, 'encodingAESKey');
    if (opts.previousEncodingAESKey !== undefined && opts.previousEncodingAESKey !== '') {
      this.previous = parseEncodingAesKey(opts.previousEncodingAESKey, 'previousEncodingAESKey');
    }
  }

  /** msg_signature = sha1_hex(sort([token, timestamp, nonce, encrypt]).join('')). */
  sign(timestamp: string, nonce: string, encrypt: string): string {
    const parts = [this.token, timestamp, nonce, encrypt].sort();
    return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
  }

  /** Constant-time comparison; a signature of the wrong length is simply false. */
  verify(signature: string, timestamp: string, nonce: string, encrypt: string): boolean {
    const expected = Buffer.from(this.sign(timestamp, nonce, encrypt), 'utf8');
    const given = Buffer.from(typeof signature === 'string' ? signature.toLowerCase() : '', 'utf8');
    if (given.length !== expected.length) {
      // Still spend the comparison so a length mismatch is not a faster path.
      timingSafeEqual(expected, expected);
      return false;
    }
    return timingSafeEqual(given, expected);
  }

  /** Returns the base64 `Encrypt` value. `random16` is injectable only to reproduce vectors. */
  encrypt(message: string, random16: Buffer = randomBytes(RANDOM_LENGTH)): string {
    if (!Buffer.isBuffer(random16) || random16.length !== RANDOM_LENGTH) {
      throw new RangeError(`random16 must be a Buffer of exactly ${RANDOM_LENGTH} bytes`);
    }
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const unpadded = Buffer.concat([random16, length, body, Buffer.from(this.appId, 'utf8')]);
    const pad = PAD_BLOCK - (unpadded.length % PAD_BLOCK); // 1..32, a full block when aligned
    const plain = Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);

    const cipher = createCipheriv('aes-256-cbc', this.current.key, this.current.iv);
    cipher.setAutoPadding(false); // we apply WeChat's 32-byte PKCS#7 ourselves
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  /**
   * Decrypts with the current key; only when that fails an integrity check
   * (padding, length prefix, appid tail: all symptoms of a wrong key) is the
   * previous key tried. Key-independent problems (not base64, not whole
   * blocks) are rejected before either key is used. If both keys fail, the
   * current key's error is thrown.
   * Call only after the signature was verified (or use decryptVerified):
   * unauthenticated input must not reach the padding check.
   */
  decrypt(encrypt: string): DecryptedMessage {
    const ciphertext = decodeCiphertext(encrypt);
    try {
      return this.open(this.current, ciphertext);
    } catch (err) {
      if (!this.previous) throw err;
      try {
        return this.open(this.previous, ciphertext);
      } catch {
        throw err;
      }
    }
  }

  /** Verifies msg_signature first (throws SignatureMismatchError), then decrypts. */
  decryptVerified(signature: string, timestamp: string, nonce: string, encrypt: string): DecryptedMessage {
    if (!this.verify(signature, timestamp, nonce, encrypt)) throw new SignatureMismatchError();
    return this.decrypt(encrypt);
  }

  /** Builds what WeChat would POST to an event URL: the XML body and the query string. */
  encryptPush(message: string, timestamp?: string, nonce?: string): EncryptedPush {
    const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
    const n = nonce ?? String(randomInt(100_000_000, 10_000_000_000));
    const encrypted = this.encrypt(message);
    return {
      body: buildWeChatXml({ AppId: this.appId, Encrypt: encrypted }),
      query: {
        timestamp: ts,
        nonce: n,
        encrypt_type: 'aes',
        msg_signature: this.sign(ts, n, encrypted),
      },
    };
  }

  /**
   * A passive reply to a push (contract section 6): the reply XML encrypted with the current key
   * and wrapped as `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.
   */
  encryptReply(message: string, timestamp?: string, nonce?: string): string {
    const ts = timestamp ?? String(Math.floor(Date.now() / 1000));
    const n = nonce ?? String(randomInt(100_000_000, 10_000_000_000));
    const encrypted = this.encrypt(message);
    return buildWeChatXml({
      Encrypt: encrypted,
      MsgSignature: this.sign(ts, n, encrypted),
      // Bare digits, as in WeChat's own sample reply.
      TimeStamp: /^\d+$/.test(ts) ? Number(ts) : ts,
      Nonce: n,
    });
  }

  /** Throws only the wrong-key symptoms decrypt() falls back on: padding, length, appid. */
  private open({ key, iv }: AesKey, ciphertext: Buffer): DecryptedMessage {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);

    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > PAD_BLOCK) throw new InvalidPaddingError();
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) throw new InvalidPaddingError();
    }

    const content = plain.subarray(0, plain.length - pad);
    if (content.length < HEADER_LENGTH) throw new MessageLengthError();
    const messageLength = content.readUInt32BE(RANDOM_LENGTH);
    if (messageLength > content.length - HEADER_LENGTH) throw new MessageLengthError();

    const message = content.subarray(HEADER_LENGTH, HEADER_LENGTH + messageLength);
    const appId = content.subarray(HEADER_LENGTH + messageLength).toString('utf8');
    if (appId !== this.appId) throw new AppIdMismatchError();
    return { message: message.toString('utf8'), appId };
  }
}

/** Rejects what no key could decrypt, so it never triggers a key fallback. */
function decodeCiphertext(encrypt: string): Buffer {
  if (typeof encrypt !== 'string' || encrypt.length === 0 || !BASE64.test(encrypt)) {
    throw new InvalidCiphertextError();
  }
  const ciphertext = Buffer.from(encrypt, 'base64');
  // The padded plaintext is whole 32-byte blocks, so the ciphertext must be too.
  if (ciphertext.length === 0 || ciphertext.length % PAD_BLOCK !== 0) {
    throw new InvalidCiphertextError();
  }
  return ciphertext;
}
