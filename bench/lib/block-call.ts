/**
 * The block call overhead and ab measure: 20 valid openids (one WeChat batch) with warm tokens,
 * with the per-tenant limiter and WeChat's daily quota out of the way, so a run measures what a
 * call costs rather than a tenant's budget.
 */
export const BLOCK_BATCH = 20;

/** The highest rate and concurrency the configuration accepts: the limiter never holds a call back. */
export const BLOCK_CALL_GATEWAY_ENV = {
  BLACKLIST_CALLS_PER_SECOND_PER_TENANT: '10000',
  BLACKLIST_CONCURRENCY_PER_TENANT: '64',
};

/** WeChat's daily quota would end a run mid-way: lifted (every leg alike). */
export const BLOCK_CALL_SIM_OPTIONS = {
  dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000 },
  callLogLimit: 10_000_000,
};

/** A block reply in which every openid succeeded: nothing invalid, nothing failed. */
export const allBlocked = (body: string) => body.includes('"invalid":[]') && body.includes('"failed":[]');
