import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request id of the work in progress, carried through its async calls. Only for log lines
 * written far from the request (the last-resort rejection handler runs in the async context of
 * the promise that rejected, so it can still name the request).
 */
const context = new AsyncLocalStorage<{ requestId: string }>();

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return context.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
