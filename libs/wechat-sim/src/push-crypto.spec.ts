import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toWeChatXml, wxDecrypt, wxEncrypt, wxSignature } from './push-crypto';

interface Vector {
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

// The published vectors the gateway's crypto reproduces too (their sources are in the README beside them).
const vectors: Vector[] = JSON.parse(
  readFileSync(join(__dirname, '../../wechat/test/fixtures/crypto-vectors.json'), 'utf8'),
).vectors;

describe('simulator push crypto (independent WXBizMsgCrypt)', () => {
  it.each(vectors.map((v) => [v.appid, v]))('reproduces the published vector for %s', (_id, v) => {
    const encrypt = wxEncrypt(v.encodingAESKey, v.appid, v.message, Buffer.from(v.random, 'utf8'));
    expect(encrypt).toBe(v.encrypt);
    expect(wxSignature(v.token, v.timestamp, v.nonce, encrypt)).toBe(v.msgSignature);
    expect(wxDecrypt(v.encodingAESKey, v.encrypt)).toEqual({ message: v.message, appId: v.appid });
  });

  it('pads to 32-byte blocks, including a whole extra block when already aligned', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    // 16 + 4 + 8 + 4 = 32 bytes of plaintext: PKCS#7/32 must add a full block of 32.
    const enc = wxEncrypt(key, 'wxab', '12345678');
    expect(Buffer.from(enc, 'base64').length).toBe(64);
    expect(wxDecrypt(key, enc)).toEqual({ message: '12345678', appId: 'wxab' });
  });

  it('rejects a malformed EncodingAESKey', () => {
    expect(() => wxEncrypt('short', 'wx', 'x')).toThrow(/43/);
  });

  it('escapes CDATA terminators and leaves numbers bare', () => {
    expect(toWeChatXml({ A: 'x]]>y', N: 5 })).toBe('<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A><N>5</N></xml>');
  });
});
