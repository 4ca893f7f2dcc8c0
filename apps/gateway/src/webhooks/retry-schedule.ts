import type { DeliveryStatus } from './webhook.entity';

/**
 * What a delivery becomes after an attempt. `roundAttempts` counts the attempts before this
 * one since publish (or the last redeliver): after failed attempt n, wait schedule[n-1]
 * seconds; once the schedule is used up, the delivery has failed.
 */
export function afterAttempt(
  ok: boolean,
  roundAttempts: number,
  scheduleSeconds: readonly number[],
  now = Date.now(),
): { status: DeliveryStatus; nextAttemptAt: Date | null } {
  if (ok) return { status: 'delivered', nextAttemptAt: null };
  const delaySeconds = scheduleSeconds[roundAttempts];
  if (delaySeconds === undefined) return { status: 'failed', nextAttemptAt: null };
  return { status: 'pending', nextAttemptAt: new Date(now + delaySeconds * 1000) };
}
