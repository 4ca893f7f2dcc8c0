// Over 300 lines: one scenario read top to bottom (onboarding, the paced and saturated legs, the
// exactly-once count, the report); the pushes and the receiver are in lib/message-pushes.ts and
// lib/webhook-receiver.ts.
import { randomInt } from 'node:crypto';
import { cpuMs, deliverTicket, newSecrets } from '../lib/env';
import { expectStatus, sleep } from '../lib/http';
import { percentile, round } from '../lib/load';
import { type MessagePush, type PushAnswer, PushFactory, PushSender } from '../lib/message-pushes';
import { monotonicMicros } from '../lib/profile';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { onboardTenant } from '../lib/tenants';
import { MessageReceiver } from '../lib/webhook-receiver';

/** The pace the targets hold at, pushes per second over all tenants. */
const RATE = 500;
const MAX_ANSWER_P99_MS = 50;
const MAX_DELIVERED_P99_MS = 1000;
/** WeChat retries a push it got no answer to within this. */
const WECHAT_WAITS_MS = 5000;

interface Account {
  tenantId: string;
  appId: string;
  /** The account's gh_ id: ToUserName of its followers' messages. */
  gh: string;
  followers: string[];
}

interface Sent {
  appId: string;
  gh: string;
  from: string;
  content: string;
  msgId: string;
}

/**
 * Follower messages pushed by "WeChat" (this process, building each push as WeChat does) to the
 * message URL `/wechat/authorizers/<appid>/events` of 100 onboarded tenants, each with a tenant
 * webhook endpoint for `message.received` on a receiver in this process. One push in a hundred is
 * WeChat retrying an earlier message (same MsgId), which must be answered alike and not forwarded
 * again.
 *
 * - Paced: pushes leave at 500/s (open loop, round robin over the tenants) whatever the answers;
 *   the push answer time and push-to-webhook-delivered time of every message.
 * - Saturated: 16 pushes in flight, closed loop: how many pushes per second the gateway answers.
 * - Exactly once: after the backlog is delivered (and a retry's 5 s have passed), every message
 *   (by MsgId) reached its tenant's endpoint exactly once.
 */
export const messages: Scenario = {
  name: 'messages',
  title: `follower messages: WeChat pushes for 100 tenants at ${RATE}/s, each forwarded as a signed message.received webhook`,
  timeoutSeconds: 900,
  async run(ctx) {
    const q = ctx.options.quick;
    const cfg = {
      tenants: 100,
      followersPerTenant: 20,
      ratePerSecond: RATE,
      pacedSeconds: q ? 4 : 20,
      warmupPushes: q ? 250 : 1000,
      warmupRatePerSecond: RATE / 2,
      retryEvery: 100,
      saturationConnections: 16,
      saturationSeconds: q ? 2 : 10,
      // Deliveries of a leg must have arrived within this (the backlog of the saturated leg included).
      deliveryWaitSeconds: q ? 60 : 180,
      // Receivers on 127.0.0.1; 100 merchants' onboarding pages visited from one address; request
      // logging on, as in production.
      gatewayEnv: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', PUBLIC_REQUESTS_PER_MINUTE: '100000', LOG_LEVEL: 'info' },
    };
    const receiver = new MessageReceiver();
    await receiver.start();
    ctx.env.onClose(() => receiver.close());
    const databaseUrl = await ctx.env.createDatabase('messages');
    const sim = await ctx.env.startSimulator('messages-sim');
    const secrets = newSecrets();
    const gw = await ctx.env.startGateway({
      label: 'messages-gateway',
      databaseUrl,
      sim,
      ...secrets,
      env: cfg.gatewayEnv,
      cpuProfileDir: ctx.profileDir,
    });
    await deliverTicket(sim, gw);

    const accounts: Account[] = [];
    const onboardStart = Date.now();
    for (let i = 0; i < cfg.tenants; i++) {
      const appId = `wxbenchmsg${String(i).padStart(6, '0')}`;
      const t = await onboardTenant(gw, sim, secrets.operatorKey, {
        name: `Message Shop ${i}`,
        appId,
        followerCount: cfg.followersPerTenant,
      });
      const endpoint = await expectStatus<{ secret: string }>(201, 'POST', `${gw.url}/v1/tenants/${t.id}/webhook-endpoints`, {
        key: t.apiKey,
        body: { url: receiver.endpoint(t.id), types: ['message.received'] },
      });
      receiver.trust(t.id, endpoint.json.secret);
      const view = await sim.control<{ userName: string; followers: string[] }>('GET', `/authorizers/${appId}?followers=1`);
      accounts.push({ tenantId: t.id, appId, gh: view.userName, followers: view.followers });
    }
    ctx.log(
      `${cfg.tenants} tenants onboarded, each with a message.received endpoint, in ${round((Date.now() - onboardStart) / 1000, 1)} s; gateway pid ${gw.pid}`,
    );

    const factory = new PushFactory(sim.component);
    const sender = new PushSender(gw.url);
    ctx.env.onClose(async () => sender.close());
    // 64-bit MsgIds as WeChat writes them (19 digits), unique to this run.
    const msgIdBase = String(randomInt(1_000_000, 9_000_000));
    const sent: Sent[] = [];
    const fresh = (): { push: MessagePush; msg: Sent } => {
      const i = sent.length;
      const a = accounts[i % accounts.length];
      const msg: Sent = {
        appId: a.appId,
        gh: a.gh,
        from: a.followers[Math.floor(i / accounts.length) % a.followers.length],
        content: `Is order ${i} on its way?`,
        msgId: `${msgIdBase}${String(i).padStart(12, '0')}`,
      };
      sent.push(msg);
      return { push: factory.text(msg.appId, msg.gh, msg.from, msg.content, msg.msgId), msg };
    };
    /** `count` pushes in sending order, every retryEvery-th one a retry of a message sent half that many pushes before. */
    const build = (count: number): { pushes: MessagePush[]; ids: string[] } => {
      const pushes: MessagePush[] = [];
      const ids: string[] = [];
      for (let k = 0; k < count; k++) {
        if (k % cfg.retryEvery === cfg.retryEvery - 1) {
          const m = sent[sent.length - cfg.retryEvery / 2];
          pushes.push(factory.text(m.appId, m.gh, m.from, m.content, m.msgId));
        } else {
          const { push, msg } = fresh();
          pushes.push(push);
          ids.push(msg.msgId);
        }
      }
      return { pushes, ids };
    };
    const failedAnswers = (answers: PushAnswer[]) => answers.filter((a) => a.status !== 200 || a.body !== 'success');
    /** Seconds until every message in ids was delivered, or undefined after the bound. */
    const delivered = async (ids: string[]): Promise<number | undefined> => {
      const from = Date.now();
      const deadline = from + cfg.deliveryWaitSeconds * 1000;
      let missing = ids;
      while (Date.now() < deadline) {
        missing = missing.filter((id) => !receiver.firstAt.has(id));
        if (missing.length === 0) return (Date.now() - from) / 1000;
        await sleep(50);
      }
      return undefined;
    };

    // Warm-up (JIT, pools, the copies of the tenants' rows), not measured.
    const warm = build(cfg.warmupPushes);
    const warmAnswers = await sender.paced(warm.pushes, cfg.warmupRatePerSecond);
    if (failedAnswers(warmAnswers.answers).length) {
      const f = failedAnswers(warmAnswers.answers)[0];
      throw new Error(`warm-up push answered ${f.status} ${f.error ?? f.body.slice(0, 200)}`);
    }
    if ((await delivered(warm.ids)) === undefined) throw new Error('warm-up messages were not all delivered');

    // Paced: the targets' rate.
    const paced = build(Math.round(cfg.ratePerSecond * cfg.pacedSeconds));
    const cpuBefore = { gateway: cpuMs(gw.pid), postgres: ctx.env.postgresCpuMs() };
    const from = monotonicMicros();
    const pacedRun = await sender.paced(paced.pushes, cfg.ratePerSecond);
    const pacedDrain = await delivered(paced.ids);
    ctx.profileWindow(from, monotonicMicros());
    const cpuPerPushUs = {
      gateway: round(((cpuMs(gw.pid) - cpuBefore.gateway) * 1000) / paced.pushes.length, 0),
      postgres: round(((ctx.env.postgresCpuMs() - cpuBefore.postgres) * 1000) / paced.pushes.length, 0),
    };
    const pacedFailed = failedAnswers(pacedRun.answers);
    const answerMs = pacedRun.answers.filter((a) => !a.error).map((a) => a.answeredAt - a.sentAt);
    const firstSent = new Map<string, number>();
    for (const a of pacedRun.answers) if (!firstSent.has(a.msgId)) firstSent.set(a.msgId, a.sentAt);
    const deliveredMs = paced.ids
      .filter((id) => receiver.firstAt.has(id))
      .map((id) => receiver.firstAt.get(id)! - firstSent.get(id)!);
    const pacedRate = (pacedRun.answers.length - pacedFailed.length) / pacedRun.seconds;
    ctx.log(
      `paced: ${pacedRun.answers.length} pushes in ${round(pacedRun.seconds, 1)} s (${round(pacedRate, 0)}/s), answer p50 ${round(percentile(answerMs, 50))} ms ` +
        `p99 ${round(percentile(answerMs, 99))} ms; delivered p50 ${round(percentile(deliveredMs, 50))} ms p99 ${round(percentile(deliveredMs, 99))} ms` +
        (pacedDrain === undefined ? ` (${paced.ids.length - deliveredMs.length} not delivered)` : ''),
    );

    // Saturated: how fast the gateway answers pushes (its deliveries follow as they can).
    const saturatedIds: string[] = [];
    const satRun = await sender.saturate(
      () => {
        const { push, msg } = fresh();
        saturatedIds.push(msg.msgId);
        return push;
      },
      cfg.saturationConnections,
      cfg.saturationSeconds,
    );
    const satFailed = failedAnswers(satRun.answers);
    const satRate = (satRun.answers.length - satFailed.length) / satRun.seconds;
    const satDrain = await delivered(saturatedIds);
    ctx.log(
      `saturated: ${satRun.answers.length} pushes in ${round(satRun.seconds, 1)} s (${round(satRate, 0)}/s); ` +
        (satDrain === undefined ? 'not all delivered' : `all delivered ${round(satDrain, 1)} s after the last answer`),
    );

    // A delivery the gateway counted as failed is retried after 5 s: wait that out, then count.
    await sleep(6000);
    const all = sent.map((m) => m.msgId);
    const once = all.filter((id) => receiver.deliveries.get(id) === 1).length;
    const twice = all.filter((id) => (receiver.deliveries.get(id) ?? 0) > 1).length;
    const missing = all.filter((id) => !receiver.deliveries.has(id)).length;
    const pushFailures = failedAnswers([...warmAnswers.answers, ...pacedRun.answers, ...satRun.answers]);

    const metrics = [
      metric('push_answer_p99_ms', `push answer p99 at ${cfg.ratePerSecond} pushes/s`, round(percentile(answerMs, 99)), 'ms', {
        op: '<=',
        value: MAX_ANSWER_P99_MS,
      }),
      metric(
        'delivered_p99_ms',
        `push to webhook delivered p99 at ${cfg.ratePerSecond} pushes/s`,
        round(percentile(deliveredMs, 99), 0),
        'ms',
        { op: '<=', value: MAX_DELIVERED_P99_MS },
      ),
      metric('messages_delivered_once', `messages delivered exactly once (of ${all.length})`, once, '', {
        op: '==',
        value: all.length,
      }),
      metric('pushes_not_answered_success', 'pushes not answered success', pushFailures.length, '', { op: '==', value: 0 }),
      metric('push_answer_p50_ms', `push answer p50 at ${cfg.ratePerSecond} pushes/s`, round(percentile(answerMs, 50)), 'ms'),
      metric(
        'delivered_p50_ms',
        `push to webhook delivered p50 at ${cfg.ratePerSecond} pushes/s`,
        round(percentile(deliveredMs, 50), 0),
        'ms',
      ),
      metric(
        'paced_pushes_per_second',
        `pushes answered per second (paced at ${cfg.ratePerSecond}/s)`,
        round(pacedRate, 0),
        'pushes/s',
      ),
      metric(
        'saturated_pushes_per_second',
        `pushes answered per second (${cfg.saturationConnections} in flight)`,
        round(satRate, 0),
        'pushes/s',
      ),
    ];
    const notes: string[] = [];
    // The load generator itself falling behind would mean the rate was not offered as intended.
    if (pacedRun.lateMs > 100 || pacedRun.offeredPerSecond < cfg.ratePerSecond * 0.95) {
      notes.push(
        `The paced leg offered ${round(pacedRun.offeredPerSecond, 0)} pushes/s against ${cfg.ratePerSecond} intended; the load generator was up to ${round(pacedRun.lateMs, 0)} ms behind its schedule.`,
      );
    }
    if (pacedRate < cfg.ratePerSecond * 0.95) {
      notes.push(
        `At ${round(pacedRun.offeredPerSecond, 0)} pushes/s offered the gateway answered ${round(pacedRate, 0)}/s (first push to last answer): answers queued, p99 ${round(percentile(answerMs, 99))} ms, slowest ${round(percentile(answerMs, 100))} ms.`,
      );
    }
    const tooLate = answerMs.filter((ms) => ms > WECHAT_WAITS_MS).length;
    if (tooLate) {
      notes.push(
        `${tooLate} of ${answerMs.length} paced pushes were answered after ${WECHAT_WAITS_MS / 1000} s, when WeChat would have sent them again (not done here).`,
      );
    }
    if (missing || twice)
      notes.push(`${missing} messages never delivered, ${twice} delivered more than once (of ${all.length}).`);
    if (receiver.badSignatures)
      notes.push(`${receiver.badSignatures} webhook requests did not verify with their endpoint's secret.`);
    if (pushFailures.length) {
      const f = pushFailures[0];
      notes.push(
        `${pushFailures.length} pushes not answered success; the first: ${f.status} ${f.error ?? f.body.slice(0, 200)}.`,
      );
    }
    return {
      setup: { ...cfg, gatewayProcesses: 1, receiver: 'in the bench process, one endpoint per tenant' },
      metrics,
      details: {
        paced: {
          pushes: pacedRun.answers.length,
          retries: pacedRun.answers.length - paced.ids.length,
          seconds: round(pacedRun.seconds, 2),
          offeredPerSecond: round(pacedRun.offeredPerSecond, 1),
          loadGeneratorMaxLateMs: round(pacedRun.lateMs, 1),
          answerMs: {
            p50: round(percentile(answerMs, 50)),
            p90: round(percentile(answerMs, 90)),
            p99: round(percentile(answerMs, 99)),
            max: round(percentile(answerMs, 100)),
          },
          deliveredMs: {
            p50: round(percentile(deliveredMs, 50), 0),
            p90: round(percentile(deliveredMs, 90), 0),
            p99: round(percentile(deliveredMs, 99), 0),
            max: round(percentile(deliveredMs, 100), 0),
          },
          allDeliveredSecondsAfterLastAnswer: pacedDrain === undefined ? null : round(pacedDrain, 1),
          // From the first push to the last delivery, per push (retries included).
          cpuMicrosecondsPerPush: { ...cpuPerPushUs, gatewayPlusPostgres: cpuPerPushUs.gateway + cpuPerPushUs.postgres },
          failed: pacedFailed.length,
          answeredAfterWeChatTimeout: tooLate,
        },
        saturated: {
          pushes: satRun.answers.length,
          seconds: round(satRun.seconds, 2),
          answerMs: {
            p50: round(
              percentile(
                satRun.answers.map((a) => a.answeredAt - a.sentAt),
                50,
              ),
            ),
            p99: round(
              percentile(
                satRun.answers.map((a) => a.answeredAt - a.sentAt),
                99,
              ),
            ),
          },
          allDeliveredSecondsAfterLastAnswer: satDrain === undefined ? null : round(satDrain, 1),
          failed: satFailed.length,
        },
        messages: {
          sent: all.length,
          deliveredOnce: once,
          deliveredMoreThanOnce: twice,
          neverDelivered: missing,
          webhookRequests: [...receiver.byWebhookId.values()].reduce((s, n) => s + n, 0),
          webhookIdsSeenMoreThanOnce: [...receiver.byWebhookId.values()].filter((n) => n > 1).length,
          badSignatures: receiver.badSignatures,
          unexpectedEvents: receiver.unexpected,
        },
        gatewayPeakRssMB: round(gw.peakRss() / 2 ** 20, 1),
      },
      notes,
    };
  },
};
