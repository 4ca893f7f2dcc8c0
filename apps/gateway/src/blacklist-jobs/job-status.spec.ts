import { jobFinalStatus } from './job-status';

describe('jobFinalStatus', () => {
  it.each([
    ['nothing failed', { status: 'running', succeeded: 5, failed: 0 }, 'succeeded'],
    ['only invalid openids (not failures)', { status: 'running', succeeded: 0, failed: 0 }, 'succeeded'],
    ['some failed, some succeeded', { status: 'running', succeeded: 3, failed: 2 }, 'partially_failed'],
    ['all failed', { status: 'running', succeeded: 0, failed: 4 }, 'failed'],
    ['cancelled, whatever the counts', { status: 'cancelled', succeeded: 3, failed: 2 }, 'cancelled'],
    ['a paused job that drained', { status: 'paused', succeeded: 1, failed: 0 }, 'succeeded'],
  ] as const)('%s → %s', (_label, job, expected) => {
    expect(jobFinalStatus(job)).toBe(expected);
  });
});
