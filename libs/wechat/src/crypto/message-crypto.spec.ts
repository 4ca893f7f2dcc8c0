import { createCipheriv } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import nodeCrypto = require('node:crypto');
import {
  AppIdMismatchError,
  InvalidCiphertextError,
  InvalidEncodingAesKeyError,
  InvalidPaddingError,
  MessageLengthError,
  SignatureMismatchError,
  WeChatCryptoError,
} from '../errors/crypto-errors';
import { parseWeChatXml } from '../xml/wechat-xml';
import { WeChatMessageCrypto } from './message-crypto';

interface Vector {
  source: string;
  token: string;
  encodingAESKey: string;
  appid: string;
  timestamp: string;
  nonce: string;
  msgSignature: string;
  encrypt: string;
  random: string;
  message: string;
}

// Published vectors, with their sources in the README beside them.
const VECTORS_FILE = path.resolve(__dirname, '../../test/fixtures/crypto-vectors.json');
if (!fs.existsSync(VECTORS_FILE)) {
  throw new Error(`WeChat crypto vectors not found at ${VECTORS_FILE}; these specs need them`);
}
const vectors = (JSON.parse(fs.readFileSync(VECTORS_FILE, 'utf8')) as { vectors: Vector[] }).vectors;

const KEY_A = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const KEY_B = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const APP_ID = 'wx0123456789abcdef';

/** Encrypts an arbitrary plaintext exactly as WeChat would (no padding added). */
function rawEncrypt(encodingAESKey: string, plain: Buffer): string {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function pkcs7(buf: Buffer): Buffer {
  const pad = 32 - (buf.length % 32);
  return Buffer.concat([buf, Buffer.alloc(pad, pad)]);
}

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function cryptoFor(v: Vector, extra: { previousEncodingAESKey?: string } = {}) {
  return new WeChatMessageCrypto({
    token: v.token,
    encodingAESKey: v.encodingAESKey,
    appId: v.appid,
    ...extra,
  });
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('WeChatMessageCrypto', () => {
  it('has the published vectors to check against', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(2);
  });

  describe.each(vectors.map((v) => [v.source, v] as const))('vector: %s', (_source, v) => {
    const crypto = cryptoFor(v);

    it('reproduces msg_signature', () => {
      expect(crypto.sign(v.timestamp, v.nonce, v.encrypt)).toBe(v.msgSignature);
      expect(crypto.verify(v.msgSignature, v.timestamp, v.nonce, v.encrypt)).toBe(true);
    });

    it('reproduces Encrypt byte for byte, using the UTF-8 bytes of the 16-character random', () => {
      const random16 = Buffer.from(v.random, 'utf8');
      expect(random16).toHaveLength(16);
      expect(crypto.encrypt(v.message, random16)).toBe(v.encrypt);
      // The other reading (hex digits) would give 8 bytes, not a valid prefix.
      expect(Buffer.from(v.random, 'hex')).toHaveLength(8);
    });

    it('decrypts to the message and appid', () => {
      expect(crypto.decrypt(v.encrypt)).toEqual({
        message: v.message,
        appId: v.appid,
      });
      expect(crypto.decryptVerified(v.msgSignature, v.timestamp, v.nonce, v.encrypt)).toEqual({
        message: v.message,
        appId: v.appid,
      });
    });
  });

  const v1 = vectors[0];

  describe('signatures', () => {
    const crypto = cryptoFor(v1);

    it('rejects a wrong signature of the right length', () => {
      const wrong = v1.msgSignature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      expect(crypto.verify(wrong, v1.timestamp, v1.nonce, v1.encrypt)).toBe(false);
    });

    it('rejects signatures of another length, empty or missing without throwing', () => {
      expect(crypto.verify(v1.msgSignature.slice(0, -1), v1.timestamp, v1.nonce, v1.encrypt)).toBe(false);
      expect(crypto.verify(`${v1.msgSignature}0`, v1.timestamp, v1.nonce, v1.encrypt)).toBe(false);
      expect(crypto.verify('', v1.timestamp, v1.nonce, v1.encrypt)).toBe(false);
      expect(crypto.verify(undefined as unknown as string, v1.timestamp, v1.nonce, v1.encrypt)).toBe(false);
    });

    it('binds the signature to timestamp, nonce and Encrypt', () => {
      expect(crypto.verify(v1.msgSignature, '1714112446', v1.nonce, v1.encrypt)).toBe(false);
      expect(crypto.verify(v1.msgSignature, v1.timestamp, '415670742', v1.encrypt)).toBe(false);
      expect(crypto.verify(v1.msgSignature, v1.timestamp, v1.nonce, `${v1.encrypt}x`)).toBe(false);
    });

    it('accepts the signature in upper case hex', () => {
      expect(crypto.verify(v1.msgSignature.toUpperCase(), v1.timestamp, v1.nonce, v1.encrypt)).toBe(true);
    });

    it('decryptVerified throws SignatureMismatchError on a bad signature', () => {
      const err = catchError(() => crypto.decryptVerified('0'.repeat(40), v1.timestamp, v1.nonce, v1.encrypt));
      expect(err).toBeInstanceOf(SignatureMismatchError);
      expect(err).toBeInstanceOf(WeChatCryptoError);
      expect((err as SignatureMismatchError).code).toBe('WECHAT_SIGNATURE_INVALID');
    });
  });

  describe('integrity checks', () => {
    const crypto = cryptoFor(v1);

    it('rejects a tampered pad byte (flipped through CBC) with InvalidPaddingError', () => {
      const ct = Buffer.from(v1.encrypt, 'base64');
      const pad = 19; // the vector's padding length
      ct[ct.length - 17] ^= pad ^ 0x00; // last plaintext byte becomes 0
      const err = catchError(() => crypto.decrypt(ct.toString('base64')));
      expect(err).toBeInstanceOf(InvalidPaddingError);
      expect((err as InvalidPaddingError).code).toBe('WECHAT_PADDING_INVALID');

      const tooLarge = Buffer.from(v1.encrypt, 'base64');
      tooLarge[tooLarge.length - 17] ^= pad ^ 33;
      expect(() => crypto.decrypt(tooLarge.toString('base64'))).toThrow(InvalidPaddingError);
    });

    it('checks every pad byte, not only the last one', () => {
      const ct = Buffer.from(v1.encrypt, 'base64');
      ct[ct.length - 18] ^= 0x01; // second-to-last plaintext byte no longer equals the pad
      expect(() => crypto.decrypt(ct.toString('base64'))).toThrow(InvalidPaddingError);

      // 40 bytes of content, then 24 pad bytes of which one is off by one.
      const padding = Buffer.alloc(24, 24);
      padding[5] = 23;
      const plain = Buffer.concat([Buffer.alloc(16, 1), uint32be(2), Buffer.from('hi'), Buffer.from(v1.appid), padding]);
      expect(plain.length % 32).toBe(0);
      expect(() => crypto.decrypt(rawEncrypt(v1.encodingAESKey, plain))).toThrow(InvalidPaddingError);
    });

    it('rejects a foreign appid tail with AppIdMismatchError', () => {
      const other = new WeChatMessageCrypto({
        token: v1.token,
        encodingAESKey: v1.encodingAESKey,
        appId: 'wxffffffffffffffff',
      });
      const err = catchError(() => other.decrypt(v1.encrypt));
      expect(err).toBeInstanceOf(AppIdMismatchError);
      expect((err as AppIdMismatchError).code).toBe('WECHAT_APPID_MISMATCH');
    });

    it('rejects an appid that is only a prefix or suffix of ours', () => {
      const truncated = pkcs7(
        Buffer.concat([Buffer.alloc(16), uint32be(2), Buffer.from('hi'), Buffer.from(v1.appid.slice(0, -1))]),
      );
      expect(() => crypto.decrypt(rawEncrypt(v1.encodingAESKey, truncated))).toThrow(AppIdMismatchError);
    });

    it('rejects a length prefix longer than the plaintext with MessageLengthError', () => {
      const plain = pkcs7(Buffer.concat([Buffer.alloc(16, 7), uint32be(1000), Buffer.from('short'), Buffer.from(v1.appid)]));
      const err = catchError(() => crypto.decrypt(rawEncrypt(v1.encodingAESKey, plain)));
      expect(err).toBeInstanceOf(MessageLengthError);
      expect((err as MessageLengthError).code).toBe('WECHAT_MESSAGE_LENGTH_INVALID');
    });

    it('rejects a plaintext too short to hold random and length with MessageLengthError', () => {
      const plain = Buffer.concat([Buffer.alloc(12, 9), Buffer.alloc(20, 20)]);
      expect(() => crypto.decrypt(rawEncrypt(v1.encodingAESKey, plain))).toThrow(MessageLengthError);
    });

    it('rejects what is not base64 of whole 32-byte blocks with InvalidCiphertextError', () => {
      for (const bad of ['', 'not base64!', Buffer.alloc(16).toString('base64'), `${v1.encrypt}AAAA`]) {
        const err = catchError(() => crypto.decrypt(bad));
        expect(err).toBeInstanceOf(InvalidCiphertextError);
        expect((err as InvalidCiphertextError).code).toBe('WECHAT_CIPHERTEXT_INVALID');
      }
    });
  });

  describe('round trip', () => {
    const crypto = new WeChatMessageCrypto({
      token: 'tok',
      encodingAESKey: KEY_A,
      appId: APP_ID,
    });

    it.each([
      ['empty', ''],
      ['ASCII', '<xml><A>1</A></xml>'],
      ['multi-byte UTF-8 (length counts bytes)', '授权成功 ✓ 😀'],
      ['block-aligned', 'x'.repeat(32 - ((16 + 4 + APP_ID.length) % 32))],
    ])('%s', (_name, message) => {
      const encrypted = crypto.encrypt(message);
      expect(crypto.decrypt(encrypted)).toEqual({ message, appId: APP_ID });
    });

    it('adds a full block of padding when the plaintext is already aligned', () => {
      const message = 'x'.repeat(32 - ((16 + 4 + APP_ID.length) % 32));
      expect(Buffer.from(crypto.encrypt(message), 'base64')).toHaveLength(16 + 4 + APP_ID.length + message.length + 32);
    });

    it('uses fresh randomness by default', () => {
      expect(crypto.encrypt('same')).not.toBe(crypto.encrypt('same'));
    });

    it('refuses a random prefix that is not 16 bytes', () => {
      expect(() => crypto.encrypt('m', Buffer.alloc(15))).toThrow(RangeError);
      expect(() => crypto.encrypt('m', Buffer.alloc(17))).toThrow(RangeError);
    });

    it('encryptReply wraps Encrypt, MsgSignature, TimeStamp and Nonce so the receiver can verify and decrypt', () => {
      const xml = crypto.encryptReply('<xml><Content><![CDATA[hi]]></Content></xml>', '1700000000', '77');
      expect(xml).toMatch(
        /^<xml><Encrypt><!\[CDATA\[[^\]]+\]\]><\/Encrypt><MsgSignature>.*<TimeStamp>1700000000<\/TimeStamp><Nonce><!\[CDATA\[77\]\]><\/Nonce><\/xml>$/,
      );
      const reply = parseWeChatXml(xml);
      expect(reply.TimeStamp).toBe('1700000000');
      const { message } = crypto.decryptVerified(reply.MsgSignature, reply.TimeStamp, reply.Nonce, reply.Encrypt);
      expect(message).toBe('<xml><Content><![CDATA[hi]]></Content></xml>');
    });
    it('encryptPush builds a body and query that a receiver can verify and decrypt', () => {
      const push = crypto.encryptPush('<xml><InfoType>component_verify_ticket</InfoType></xml>', '1700000000', '42');
      expect(push.query).toMatchObject({
        timestamp: '1700000000',
        nonce: '42',
        encrypt_type: 'aes',
      });
      const body = parseWeChatXml(push.body);
      expect(body.AppId).toBe(APP_ID);
      const { message } = crypto.decryptVerified(push.query.msg_signature, push.query.timestamp, push.query.nonce, body.Encrypt);
      expect(message).toBe('<xml><InfoType>component_verify_ticket</InfoType></xml>');
    });

    it('encryptPush defaults timestamp to now (seconds) and a numeric nonce', () => {
      const before = Math.floor(Date.now() / 1000);
      const { query } = crypto.encryptPush('m');
      expect(Number(query.timestamp)).toBeGreaterThanOrEqual(before);
      expect(Number(query.timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
      expect(query.nonce).toMatch(/^\d+$/);
    });
  });

  describe('key rotation', () => {
    const oldCrypto = new WeChatMessageCrypto({
      token: 'tok',
      encodingAESKey: KEY_A,
      appId: APP_ID,
    });
    const rotated = new WeChatMessageCrypto({
      token: 'tok',
      encodingAESKey: KEY_B,
      appId: APP_ID,
      previousEncodingAESKey: KEY_A,
    });
    let decipherSpy: jest.SpyInstance;

    beforeEach(() => {
      decipherSpy = jest.spyOn(nodeCrypto, 'createDecipheriv');
    });
    afterEach(() => decipherSpy.mockRestore());

    it('falls back to the previous key when the current one fails', () => {
      const encrypted = oldCrypto.encrypt('sent before rotation', Buffer.alloc(16, 5));
      expect(rotated.decrypt(encrypted)).toEqual({
        message: 'sent before rotation',
        appId: APP_ID,
      });
      expect(decipherSpy).toHaveBeenCalledTimes(2);
    });

    it('does not try the previous key when the current one succeeds', () => {
      const encrypted = rotated.encrypt('after rotation');
      expect(rotated.decrypt(encrypted).message).toBe('after rotation');
      expect(decipherSpy).toHaveBeenCalledTimes(1);
    });

    it('does not decrypt at all on a bad signature or malformed ciphertext', () => {
      const encrypted = oldCrypto.encrypt('m');
      expect(() => rotated.decryptVerified('0'.repeat(40), '1', '2', encrypted)).toThrow(SignatureMismatchError);
      expect(() => rotated.decrypt('@@@@')).toThrow(InvalidCiphertextError);
      expect(decipherSpy).not.toHaveBeenCalled();
    });

    it('without a previous key, a message under the old key fails with a crypto error', () => {
      const currentOnly = new WeChatMessageCrypto({
        token: 'tok',
        encodingAESKey: KEY_B,
        appId: APP_ID,
      });
      const err = catchError(() => currentOnly.decrypt(oldCrypto.encrypt('m', Buffer.alloc(16, 5))));
      expect(err).toBeInstanceOf(WeChatCryptoError);
      expect(decipherSpy).toHaveBeenCalledTimes(1);
    });

    it("reports the current key's error when both keys fail", () => {
      const foreign = new WeChatMessageCrypto({
        token: 'tok',
        encodingAESKey: KEY_B,
        appId: 'wxother',
      });
      const err = catchError(() => rotated.decrypt(foreign.encrypt('m')));
      expect(err).toBeInstanceOf(AppIdMismatchError);
      expect(decipherSpy).toHaveBeenCalledTimes(2);
    });
  });

  describe('configuration', () => {
    it.each([
      ['42 characters', KEY_A.slice(0, 42)],
      ['44 characters', `${KEY_A}A`],
      ['a non-base64 character', `${KEY_A.slice(0, 42)}!`],
      ['base64url alphabet', `${KEY_A.slice(0, 42)}-`],
      ['empty', ''],
    ])('rejects an EncodingAESKey with %s', (_name, key) => {
      const err = catchError(
        () =>
          new WeChatMessageCrypto({
            token: 't',
            encodingAESKey: key,
            appId: APP_ID,
          }),
      );
      expect(err).toBeInstanceOf(InvalidEncodingAesKeyError);
      expect((err as InvalidEncodingAesKeyError).code).toBe('WECHAT_ENCODING_AES_KEY_INVALID');
      // The key itself must never end up in logs.
      if (key) expect((err as Error).message).not.toContain(key);
    });

    it('validates the previous key too', () => {
      expect(
        () =>
          new WeChatMessageCrypto({
            token: 't',
            encodingAESKey: KEY_A,
            appId: APP_ID,
            previousEncodingAESKey: 'short',
          }),
      ).toThrow(InvalidEncodingAesKeyError);
    });

    it('requires a token and an appId', () => {
      expect(
        () =>
          new WeChatMessageCrypto({
            token: '',
            encodingAESKey: KEY_A,
            appId: APP_ID,
          }),
      ).toThrow(TypeError);
      expect(
        () =>
          new WeChatMessageCrypto({
            token: 't',
            encodingAESKey: KEY_A,
            appId: '',
          }),
      ).toThrow(TypeError);
    });
  });
});
