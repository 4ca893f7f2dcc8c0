import type { WeChatCallCount } from '../platform/wechat-clients/wechat-call-counts.repository';
import type { CallsChart } from './console-pages';
import { zonedTime } from './console-time';

const HOUR_MS = 3_600_000;

/** The last 24 hours as chart series, one per API and outcome, an hour a bar (labelled in the operator's zone). */
export function callsChart(
  counts: WeChatCallCount[],
  now: Date,
  timeZone: string,
  outcomeNames: Record<string, string>,
): CallsChart {
  const last = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const hours = Array.from({ length: 24 }, (_, i) => last - (23 - i) * HOUR_MS);
  const series = new Map<string, CallsChart['series'][number]>();
  for (const c of counts) {
    const index = hours.indexOf(new Date(c.hour).getTime());
    if (index < 0) continue;
    const key = `${c.api}|${c.outcome}`;
    let s = series.get(key);
    if (!s) {
      s = {
        api: c.api,
        outcome: c.outcome,
        label: `${c.api} · ${outcomeNames[c.outcome] ?? c.outcome}`,
        calls: new Array(24).fill(0),
      };
      series.set(key, s);
    }
    s.calls[index] += c.calls;
  }
  return { labels: hours.map((h) => zonedTime(new Date(h), timeZone).slice(11)), series: [...series.values()] };
}
