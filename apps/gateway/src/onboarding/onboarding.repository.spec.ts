import { ChangeNotices } from '../platform/database/change-notices';
import { SecretCipher } from '@app/common';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { TenantsRepository } from '../tenants/tenants.repository';
import { OnboardingRepository } from './onboarding.repository';

describe('OnboardingRepository (on a cloned test database)', () => {
  let dataSource: DataSource;
  let onboarding: OnboardingRepository;
  let tenants: TenantsRepository;

  beforeAll(async () => {
    ({ dataSource } = await repositorySpecDatabase());
    onboarding = new OnboardingRepository(dataSource, new SecretCipher(randomBytes(32)));
    tenants = new TenantsRepository(dataSource, new ChangeNotices(dataSource));
  });
  afterAll(() => dataSource?.destroy());

  it('records a code exchange once and reads it back; a second record of the same code fails', async () => {
    const t = await tenants.create({ name: 'T', externalId: null, apiKeyHash: 'c'.repeat(64) });
    const sessionId = await onboarding.createSession(t.id, {
      tokenHash: '1'.repeat(64),
      authType: 1,
      returnUrl: null,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const codeHash = '2'.repeat(64);
    expect(await onboarding.findExchange(codeHash)).toBeUndefined();
    await dataSource.transaction((m) =>
      onboarding.recordExchange(t.id, { codeHash, sessionId, outcome: 'authorized', appId: 'wx-app' }, m),
    );
    expect(await onboarding.findExchange(codeHash)).toEqual({ outcome: 'authorized', tenantId: t.id, appId: 'wx-app' });
    await expect(
      dataSource.transaction((m) =>
        onboarding.recordExchange(t.id, { codeHash, sessionId, outcome: 'code_invalid', appId: null }, m),
      ),
    ).rejects.toThrow();
  });

  it('finds a session by its pre-auth code, and closes everything on tenant deletion', async () => {
    const t = await tenants.create({ name: 'T', externalId: null, apiKeyHash: 'd'.repeat(64) });
    const sessionId = await onboarding.createSession(t.id, {
      tokenHash: '3'.repeat(64),
      authType: 1,
      returnUrl: null,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    await onboarding.recordPreAuthCode(t.id, {
      codeHash: '4'.repeat(64),
      code: 'pac-4',
      sessionId,
      expiresAt: new Date(Date.now() + 600_000),
    });
    await onboarding.recordPreAuthCode(t.id, {
      codeHash: '4'.repeat(64),
      code: 'pac-4',
      sessionId,
      expiresAt: new Date(Date.now() + 600_000),
    });
    expect((await onboarding.findSessionByPreAuthCodeHash('4'.repeat(64)))?.id).toBe(sessionId);
    await dataSource.transaction((m) => onboarding.closeForTenant(t.id, m));
    expect(await onboarding.findSessionByPreAuthCodeHash('4'.repeat(64))).toBeUndefined();
    expect((await onboarding.findSessionById(sessionId))!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('hands a sealed pre-auth code out again while it is valid and unused, never one near expiry or retired', async () => {
    const t = await tenants.create({ name: 'T', externalId: null, apiKeyHash: 'e'.repeat(64) });
    const sessionId = await onboarding.createSession(t.id, {
      tokenHash: '5'.repeat(64),
      authType: 1,
      returnUrl: null,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    expect(await onboarding.reusablePreAuthCode(sessionId, 120)).toBeUndefined();
    await onboarding.recordPreAuthCode(t.id, {
      codeHash: '6'.repeat(64),
      code: 'pac-soon',
      sessionId,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await onboarding.reusablePreAuthCode(sessionId, 120)).toBeUndefined();
    await onboarding.recordPreAuthCode(t.id, {
      codeHash: '7'.repeat(64),
      code: 'pac-fresh',
      sessionId,
      expiresAt: new Date(Date.now() + 600_000),
    });
    expect(await onboarding.reusablePreAuthCode(sessionId, 120)).toBe('pac-fresh');
    const [row] = await dataSource.query(`SELECT code_sealed FROM pre_auth_codes WHERE code_hash = $1`, ['7'.repeat(64)]);
    expect(row.code_sealed).not.toContain('pac-fresh');
    await onboarding.retirePreAuthCodes(sessionId);
    expect(await onboarding.reusablePreAuthCode(sessionId, 120)).toBeUndefined();
    expect(await onboarding.openSessions(t.id)).toMatchObject({ count: 1 });
  });
});
