import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { BUILT_GATEWAY } from './support/production-env';

const MAIN = BUILT_GATEWAY;

/** Spawns the built gateway with the given environment and returns how it ended. */
function start(env: Record<string, string>) {
  const res = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

describe('configuration is validated at start-up (built app, spawned)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first`);
  });

  it('production mode without the other WeChat variables stops with their names', () => {
    const { status, output } = start({
      WECHAT_COMPONENT_APPID: 'wx1234567890abcdef',
      DATABASE_URL: 'postgres://x@127.0.0.1:9/test',
    });
    expect(status).not.toBe(0);
    for (const name of [
      'WECHAT_COMPONENT_APPSECRET',
      'WECHAT_COMPONENT_TOKEN',
      'WECHAT_COMPONENT_ENCODING_AES_KEY',
      'OPERATOR_API_KEYS',
      'SECRETS_ENCRYPTION_KEY',
    ]) {
      expect(output).toContain(name);
    }
  });

  it('production mode with /metrics left public stops with exit 78, naming METRICS_TOKEN and METRICS_PORT', () => {
    const { status, output } = start({
      WECHAT_COMPONENT_APPID: 'wx1234567890abcdef',
      WECHAT_COMPONENT_APPSECRET: 'componentsecret',
      WECHAT_COMPONENT_TOKEN: 'componenttoken',
      WECHAT_COMPONENT_ENCODING_AES_KEY: 'A'.repeat(43),
      OPERATOR_API_KEYS: randomBytes(32).toString('hex'),
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: 'postgres://x@127.0.0.1:9/test',
    });
    expect(status).toBe(78);
    expect(output).toMatch(/^\s*METRICS_TOKEN: .*METRICS_PORT/m);
  });

  it('a malformed PORT stops the process and names PORT', () => {
    const { status, output } = start({ PORT: 'eighty', DATABASE_URL: 'postgres://x@127.0.0.1:9/test' });
    expect(status).not.toBe(0);
    expect(output).toMatch(/^\s*PORT: /m); // the variable itself, not e.g. SANDBOX_SIM_PORT
  });

  it('a secrets key that is not 32 bytes of base64 is named', () => {
    const { status, output } = start({ SECRETS_ENCRYPTION_KEY: 'c2hvcnQ=', DATABASE_URL: 'postgres://x@127.0.0.1:9/test' });
    expect(status).not.toBe(0);
    expect(output).toContain('SECRETS_ENCRYPTION_KEY');
  });

  it('a DATABASE_URL that is not a postgres URL is named', () => {
    const { status, output } = start({ DATABASE_URL: 'mysql://localhost/db' });
    expect(status).not.toBe(0);
    expect(output).toContain('DATABASE_URL');
  });

  it('a GATEWAY_DATA_DIR that is not a usable path is named (validated with the other variables)', () => {
    const { status, output } = start({ GATEWAY_DATA_DIR: 'x'.repeat(2000), DATABASE_URL: 'postgres://x@127.0.0.1:9/test' });
    expect(status).not.toBe(0);
    expect(output).toMatch(/^\s*GATEWAY_DATA_DIR: /m);
  });

  it('an operator key with under 128 bits of entropy (estimated from its alphabet) stops start-up, named by variable', () => {
    for (const keys of ['aaaaaaaaaaaaaaaa', `${'0123456789abcdef'.repeat(2)},abcdefghijklmnopqrst`]) {
      const { status, output } = start({ OPERATOR_API_KEYS: keys, DATABASE_URL: 'postgres://x@127.0.0.1:9/test' });
      expect(status).not.toBe(0);
      expect(output).toMatch(/^\s*OPERATOR_API_KEYS: .*128 bits/m);
      expect(output).not.toContain('abcdefghijklmnopqrst');
    }
  });

  it('a bare operator key holding a colon stops start-up with a message saying to name it (name:key)', () => {
    // Before the colon: no name (capitals), or a run of hex digits only a key looks like.
    for (const key of [
      `K7fQ2mZx9LpW4vRt:${'fedcba9876543210'.repeat(2)}`,
      `${'0123456789abcdef'.repeat(2)}:${'fedcba9876543210'.repeat(2)}`,
    ]) {
      const { status, output } = start({ OPERATOR_API_KEYS: key, DATABASE_URL: 'postgres://x@127.0.0.1:9/test' });
      expect(status).not.toBe(0);
      expect(output).toMatch(/^\s*OPERATOR_API_KEYS: .*entry 1 .*contains ':'.*name:key/m);
      expect(output).not.toContain('fedcba9876543210');
    }
  });

  it('a named operator key with a name outside [a-z0-9._-]{1,32} stops start-up', () => {
    const { status, output } = start({
      OPERATOR_API_KEYS: `Ops Team:${'0123456789abcdef'.repeat(2)}`,
      DATABASE_URL: 'postgres://x@127.0.0.1:9/test',
    });
    expect(status).not.toBe(0);
    expect(output).toMatch(/^\s*OPERATOR_API_KEYS: /m);
  });
});
