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
    onboarding = new OnboardingRepository(dataSource);
    tenants = new TenantsRepository(dataSource);
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
    await onboarding.recordPreAuthCode(t.id, { codeHash: '4'.repeat(64), sessionId, expiresAt: new Date(Date.now() + 600_000) });
    await onboarding.recordPreAuthCode(t.id, { codeHash: '4'.repeat(64), sessionId, expiresAt: new Date(Date.now() + 600_000) });
    expect((await onboarding.findSessionByPreAuthCodeHash('4'.repeat(64)))?.id).toBe(sessionId);
    await dataSource.transaction((m) => onboarding.closeForTenant(t.id, m));
    expect(await onboarding.findSessionByPreAuthCodeHash('4'.repeat(64))).toBeUndefined();
    expect((await onboarding.findSessionById(sessionId))!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
