import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { ComponentStateRepository } from './component-state.repository';

describe('ComponentStateRepository (on a cloned test database)', () => {
  let dataSource: DataSource;
  let state: ComponentStateRepository;

  beforeAll(async () => {
    const db = await repositorySpecDatabase();
    dataSource = db.dataSource;
    state = new ComponentStateRepository(dataSource, db.cipher);
  });
  afterAll(() => dataSource?.destroy());

  it('keeps the newest ticket by CreateTime and ignores an older push', async () => {
    expect(await state.storeTicket('wx-comp-1', 'ticket-200', 200)).toBe(true);
    expect(await state.storeTicket('wx-comp-1', 'ticket-100', 100)).toBe(false);
    expect(await state.storeTicket('wx-comp-1', 'ticket-300', 300)).toBe(true);
    const creds = await dataSource.transaction((m) => state.lockForRefresh('wx-comp-1', m));
    expect(creds.ticket).toBe('ticket-300');
    const [raw] = await dataSource.query(`SELECT ticket FROM component_state WHERE component_app_id = 'wx-comp-1'`);
    expect(raw.ticket).not.toContain('ticket-300');
  });

  it('expires the stored token only while it is still the rejected one (compare-then-expire)', async () => {
    const later = new Date(Date.now() + 7200_000);
    await dataSource.transaction(async (m) => {
      await state.lockForRefresh('wx-comp-2', m);
      await state.storeToken('wx-comp-2', 'token-a', later, m);
    });
    // A replacement landed before the rejection of token-a is acted on: it must survive.
    await dataSource.transaction((m) => state.storeToken('wx-comp-2', 'token-b', later, m));
    expect(await dataSource.transaction((m) => state.expireTokenIfStill('wx-comp-2', 'token-a', m))).toBe(false);
    expect((await state.readToken('wx-comp-2')).expiresAt!.getTime()).toBe(later.getTime());

    expect(await dataSource.transaction((m) => state.expireTokenIfStill('wx-comp-2', 'token-b', m))).toBe(true);
    const after = await state.readToken('wx-comp-2');
    expect(after.token).toBe('token-b');
    expect(after.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('lets one caller per interval ask WeChat to push a ticket', async () => {
    await state.storeTicket('wx-comp-3', 't', 1);
    expect(await state.claimTicketPushRequest('wx-comp-3', '10 minutes')).toBe(true);
    expect(await state.claimTicketPushRequest('wx-comp-3', '10 minutes')).toBe(false);
  });
});
