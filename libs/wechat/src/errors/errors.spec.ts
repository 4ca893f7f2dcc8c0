import { inspect } from 'node:util';
import { WeChatApiError, WeChatRequestError, WeChatTransportError } from './api-errors';
import { classifyErrcode, WECHAT_ERROR_KINDS, type WeChatErrorKind } from './error-kinds';
import { WeChatError } from './wechat-error';

describe('WECHAT_ERROR_KINDS / classifyErrcode', () => {
  const expected: Record<WeChatErrorKind, number[]> = {
    retryable: [-1],
    'token-invalid': [40001, 40014, 42001],
    'quota-daily': [45009],
    'quota-minute': [45011],
    'invalid-openid': [40003, 49003],
    'set-missing': [61007],
    'api-unauthorized': [48001],
    revoked: [61003, 61023],
    'ticket-rejected': [61005, 61006],
    'auth-code-rejected': [61009, 61010],
    'oauth-code-rejected': [40029, 40163],
    configuration: [40013, 41001, 40032, 61004],
    other: [],
  };

  it.each(Object.entries(expected).flatMap(([kind, codes]) => codes.map((c) => [c, kind])))('%d is %s', (errcode, kind) => {
    expect(classifyErrcode(errcode as number)).toBe(kind);
  });

  it('holds exactly the contract table, nothing more', () => {
    const table = Object.fromEntries(Object.entries(expected).flatMap(([kind, codes]) => codes.map((c) => [String(c), kind])));
    expect({ ...WECHAT_ERROR_KINDS }).toEqual(table);
  });

  it.each([0, 1, 40002, 99999, Number.NaN])('%d is other', (errcode) => {
    expect(classifyErrcode(errcode)).toBe('other');
  });

  it('is not fooled by Object.prototype keys', () => {
    expect(classifyErrcode('constructor' as unknown as number)).toBe('other');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(WECHAT_ERROR_KINDS)).toBe(true);
  });
});

describe('error classes', () => {
  it('WeChatApiError carries errcode, errmsg, api, kind and a stable code', () => {
    const err = new WeChatApiError('batchblacklist', 40003, 'invalid openid rid: x');
    expect(err).toBeInstanceOf(WeChatError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'WeChatApiError',
      code: 'WECHAT_API_ERROR',
      api: 'batchblacklist',
      errcode: 40003,
      errmsg: 'invalid openid rid: x',
      kind: 'invalid-openid',
    });
    expect(err.message).toBe('WeChat batchblacklist failed with errcode 40003: invalid openid rid: x');
  });

  it('WeChatTransportError describes the failure with fixed text only', () => {
    const err = new WeChatTransportError('getblacklist', 'http-5xx', { httpStatus: 502 });
    expect(err).toBeInstanceOf(WeChatError);
    expect(err).toMatchObject({ name: 'WeChatTransportError', code: 'WECHAT_UNAVAILABLE', reason: 'http-5xx', httpStatus: 502 });
    expect(err.message).toBe('WeChat getblacklist unavailable: http-5xx (HTTP 502)');
    expect(err.cause).toBeUndefined();
  });

  it('WeChatTransportError drops a network code that is not a bare system code', () => {
    const err = new WeChatTransportError('getblacklist', 'network', {
      networkCode: 'connect ECONNREFUSED https://api.weixin.qq.com/?access_token=SECRET',
    });
    expect(err.networkCode).toBeUndefined();
    expect(inspect(err)).not.toContain('SECRET');
    expect(new WeChatTransportError('getblacklist', 'network', { networkCode: 'ECONNRESET' }).networkCode).toBe('ECONNRESET');
  });

  it('WeChatRequestError has its own code', () => {
    const err = new WeChatRequestError('too many openids', 'batchblacklist');
    expect(err).toBeInstanceOf(WeChatError);
    expect(err).toMatchObject({ name: 'WeChatRequestError', code: 'WECHAT_REQUEST_INVALID', api: 'batchblacklist' });
  });
});
