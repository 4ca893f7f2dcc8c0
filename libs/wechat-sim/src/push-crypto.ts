import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';

/*
 * WeChat's WXBizMsgCrypt, implemented here on purpose rather than imported from @app/wechat:
 * the simulator is the oracle for that library, and an oracle sharing the code under test
 * would agree with its bugs. Both are checked against the published vectors.
 */

const KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;

export function aesKeyFromEncodingAESKey(encodingAESKey: string): Buffer {
  if (!KEY_PATTERN.test(encodingAESKey)) {
    throw new Error('EncodingAESKey must be 43 characters of base64 alphabet');
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes');
  return key;
}

/** AES-256-CBC, IV = key[0..16], PKCS#7 padded to 32-byte blocks; plaintext = random16 | len32be | msg | appid. */
export function wxEncrypt(encodingAESKey: string, appId: string, message: string, random16: Buffer = randomBytes(16)): string {
  if (random16.length !== 16) throw new Error('random prefix must be 16 bytes');
  const key = aesKeyFromEncodingAESKey(encodingAESKey);
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([random16, len, msg, Buffer.from(appId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/** Inverse of wxEncrypt; used by the simulator's own tests. Throws on any malformed input. */
export function wxDecrypt(encodingAESKey: string, encrypt: string): { message: string; appId: string } {
  const key = aesKeyFromEncodingAESKey(encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const pad = padded[padded.length - 1];
  if (!pad || pad > 32 || padded.length < 20 + pad) throw new Error('bad padding');
  const plain = padded.subarray(0, padded.length - pad);
  const len = plain.readUInt32BE(16);
  if (20 + len > plain.length) throw new Error('bad length');
  return {
    message: plain.subarray(20, 20 + len).toString('utf8'),
    appId: plain.subarray(20 + len).toString('utf8'),
  };
}

/** msg_signature = sha1(sorted([token, timestamp, nonce, encrypt]).join('')); with no encrypt it is the plain `signature`. */
export function wxSignature(token: string, timestamp: string, nonce: string, encrypt?: string): string {
  const parts = encrypt === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypt];
  return createHash('sha1').update(parts.sort().join('')).digest('hex');
}

/**
 * `target` with WeChat's push query: `signature`, `timestamp`, `nonce`, the `extra` parameters
 * (a message push adds the follower's `openid`), `encrypt_type=aes` and `msg_signature`.
 */
export function signedPushUrl(
  target: string,
  token: string,
  encrypt: string,
  timestamp: string,
  extra: Record<string, string> = {},
): URL {
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  const url = new URL(target);
  url.searchParams.set('signature', wxSignature(token, timestamp, nonce));
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  url.searchParams.set('encrypt_type', 'aes');
  url.searchParams.set('msg_signature', wxSignature(token, timestamp, nonce, encrypt));
  return url;
}

const cdata = (v: string) => `<![CDATA[${v.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** Strings go in CDATA and numbers bare, as in WeChat's own pushes. */
export function toWeChatXml(fields: Record<string, string | number>): string {
  const inner = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? String(v) : cdata(v)}</${k}>`)
    .join('');
  return `<xml>${inner}</xml>`;
}

/** Reads a flat WeChat XML document (a passive reply) into its fields; null when it is not one. */
export function fromWeChatXml(xml: string): Record<string, string> | null {
  const root = /^\s*<xml>([\s\S]*)<\/xml>\s*$/.exec(xml);
  if (!root) return null;
  const fields: Record<string, string> = {};
  for (const m of root[1].matchAll(/<([A-Za-z_][\w.-]*)>(?:((?:<!\[CDATA\[[\s\S]*?\]\]>)+)|([^<]*))<\/\1>/g)) {
    fields[m[1]] = m[2] !== undefined ? m[2].replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1') : m[3];
  }
  return fields;
}
