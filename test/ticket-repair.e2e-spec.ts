import request from 'supertest';
import { TicketWatch } from '../apps/gateway/src/component/ticket-watch.service';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, callsTo, sql } from './support/onboarding';
import { until } from './support/webhook-receiver';

const START_PUSH = 'api_start_push_ticket';

describe('component verify ticket self-repair', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  }, 60_000);
  afterAll(() => h?.close());

  const health = async () => (await request(h.url).get('/health').expect(200)).body;
  const status = async () => (await request(h.url).get('/v1/component/status').set(bearer(h.operatorKey)).expect(200)).body;
  const ageTicket = (minutes: number) =>
    sql(h, `UPDATE component_state SET ticket_received_at = now() - make_interval(mins => $1)`, [minutes]);

  it('a ticket older than 20 minutes: api_start_push_ticket once per 10 minutes across callers, counted, shown; degraded but ready', async () => {
    expect(await health()).toEqual(expect.objectContaining({ status: 'ok', mode: 'sandbox', sandbox: true }));
    await ageTicket(19);
    const since = h.sim.calls().at(-1)?.seq ?? 0;
    await h.app.get(TicketWatch).check();
    expect(callsTo(h, START_PUSH, since)).toHaveLength(0);

    await ageTicket(25);
    expect(await health()).toEqual(
      expect.objectContaining({
        status: 'degraded',
        sandbox: true,
        componentTicket: expect.objectContaining({ status: 'overdue' }),
      }),
    );
    await request(h.url).get('/health/ready').expect(200);
    expect((await status()).ticket).toEqual(expect.objectContaining({ overdue: true, pushRequestedAt: null }));

    // Several instances' watches look at once: WeChat is asked once.
    const watch = h.app.get(TicketWatch);
    await Promise.all([watch.check(), watch.check(), watch.check()]);
    expect(callsTo(h, START_PUSH, since)).toHaveLength(1);
    const s = await status();
    expect(Date.parse(s.ticket.pushRequestedAt)).toBeGreaterThan(Date.now() - 60_000);
    const metrics = await request(h.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/component_ticket_push_requests_total\{reason="stale_ticket"\} 1\b/);

    // WeChat pushes the ticket it was asked for: healthy again.
    await until(async () => (await health()).status === 'ok');
    expect((await status()).ticket.overdue).toBe(false);

    // Overdue again within 10 minutes of the request: not asked again.
    await ageTicket(30);
    await watch.check();
    expect(callsTo(h, START_PUSH, since)).toHaveLength(1);
    // Ten minutes later it may ask again.
    await sql(h, `UPDATE component_state SET push_ticket_requested_at = now() - interval '11 minutes'`);
    await watch.check();
    expect(callsTo(h, START_PUSH, since)).toHaveLength(2);
  });
});
