import { createHash } from 'node:crypto';
import type { EnvironmentVariables } from './environment';
import { operatorKeyName, resolveGatewayConfig } from './gateway-config';
import { operatorKeyFingerprint, parseOperatorKeys } from './operator-keys';

const strong = (seed: string) => createHash('sha256').update(seed).digest('hex');

describe('OPERATOR_API_KEYS entries', () => {
  it('take name:key and bare keys; a bare key is named by the first 8 hex of its SHA-256', () => {
    const [a, b, c] = [strong('a'), strong('b'), strong('c')];
    const { keys, problems } = parseOperatorKeys(` ops-team:${a} , ${b},ci.bot_2:${c}`);
    expect(problems).toEqual([]);
    expect(keys).toEqual([
      { name: 'ops-team', key: a },
      { name: createHash('sha256').update(b).digest('hex').slice(0, 8), key: b },
      { name: 'ci.bot_2', key: c },
    ]);
    expect(operatorKeyFingerprint(b)).toMatch(/^[0-9a-f]{8}$/);
  });

  it('split a named entry at its first colon: the key may hold more', () => {
    expect(parseOperatorKeys(`ops:${strong('a')}:x`).keys).toEqual([{ name: 'ops', key: `${strong('a')}:x` }]);
  });

  it('refuse a hex key with a colon inside: its first part is a piece of a key, not a name', () => {
    for (const key of [`${strong('x').slice(0, 32)}:${strong('y').slice(0, 32)}`, `${strong('x').slice(0, 16)}:${strong('y')}`]) {
      expect(parseOperatorKeys(key).problems[0]).toMatch(/^entry 1 .*contains ':'.*name:key/);
    }
    expect(parseOperatorKeys(`ops-2026.a:${strong('y')}`).problems).toEqual([]);
  });

  it('refuse a bare key holding a colon, saying to name it, without echoing the key', () => {
    const secret = `${strong('x').slice(0, 40)}:${strong('y')}`;
    const { keys, problems } = parseOperatorKeys(`${strong('a')},${secret}`);
    expect(keys).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^entry 2 .*contains ':'.*name:key/);
    expect(problems[0]).not.toContain(strong('y'));
    expect(problems[0]).not.toContain(strong('x').slice(0, 40));
  });

  it('refuse names outside [a-z0-9._-]{1,32}, weak keys and repeated names', () => {
    for (const bad of [`Ops:${strong('a')}`, `:${strong('a')}`, `${'n'.repeat(33)}:${strong('a')}`, 'ops:short-key-123456']) {
      expect(parseOperatorKeys(bad).problems).toHaveLength(1);
    }
    expect(parseOperatorKeys('ops:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa').problems[0]).toMatch(/128 bits/);
    expect(parseOperatorKeys(`ops:${strong('a')},ops:${strong('b')}`).problems[0]).toMatch(/^entry 2 .*repeats the name ops/);
  });

  it('resolve to names for the audit trail: the configured one, else the fingerprint', () => {
    const names = new Map([[strong('a'), 'ops']]);
    expect(operatorKeyName({ operatorKeyNames: names }, strong('a'))).toBe('ops');
    expect(operatorKeyName({ operatorKeyNames: names }, strong('b'))).toBe(operatorKeyFingerprint(strong('b')));
    expect(operatorKeyName({}, strong('b'))).toBe(operatorKeyFingerprint(strong('b')));
  });

  it('reach the resolved configuration: the keys alone in operatorApiKeys, their names beside them', () => {
    const env = { OPERATOR_API_KEYS: `ops:${strong('a')},${strong('b')}` } as EnvironmentVariables;
    const sandbox = {
      operatorApiKey: strong('generated'),
      secretsKey: Buffer.alloc(32, 1).toString('base64'),
      wechat: {
        componentAppId: 'wx',
        componentAppSecret: '',
        componentToken: '',
        encodingAESKey: '',
        apiBaseUrl: '',
        mpBaseUrl: '',
        openBaseUrl: '',
      },
    };
    const config = resolveGatewayConfig(env, { databaseUrl: 'postgres://x@127.0.0.1/test', sandbox });
    expect(config.operatorApiKeys).toEqual([strong('a'), strong('b')]);
    expect(operatorKeyName(config, strong('a'))).toBe('ops');
    expect(operatorKeyName(config, strong('b'))).toBe(operatorKeyFingerprint(strong('b')));
  });
});
