import { EncryptedPushPipe } from './encrypted-push.pipe';
import { PushRejectedError } from './push-rejected.error';

describe('EncryptedPushPipe: the push body read as WeChat’s envelope', () => {
  const pipe = new EncryptedPushPipe();
  const reason = (body: unknown) => {
    try {
      pipe.transform(body);
    } catch (e) {
      expect(e).toBeInstanceOf(PushRejectedError);
      return (e as PushRejectedError).reason;
    }
    throw new Error('not rejected');
  };

  it('hands on the plain fields and the ciphertext', () => {
    const push = pipe.transform('<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>');
    expect(push).toEqual({ outer: { ToUserName: 'gh_1', Encrypt: 'abc=' }, encrypt: 'abc=' });
  });

  it('refuses what is not an envelope, each with its reason', () => {
    expect(reason(undefined)).toBe('body is not XML');
    expect(reason({ Encrypt: 'x' })).toBe('body is not XML');
    expect(reason('')).toBe('body is not XML');
    expect(reason('<xml><Encrypt>')).toBe('body is not valid XML');
    expect(reason('<xml><AppId>wx1</AppId></xml>')).toBe('Encrypt missing');
  });
});
