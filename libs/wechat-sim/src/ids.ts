import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random [A-Za-z0-9] string; tokens and codes are opaque to clients, so only uniqueness matters. */
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Codes keep WeChat's real prefixes (`preauthcode@@@`, `queryauthcode@@@`, ...): the `@`
 * characters catch clients that forget to URL-encode them.
 */
export const newTicket = () => `ticket@@@${randomAlnum(86)}`;
export const newPreAuthCode = () => `preauthcode@@@${randomAlnum(60)}`;
export const newAuthCode = () => `queryauthcode@@@${randomAlnum(80)}`;
export const newRefreshToken = () => `refreshtoken@@@${randomAlnum(40)}`;
export const newAccessToken = () => randomAlnum(136);
export const newAuthorizerAppId = () => `wx${randomHex(8)}`;
/** A 64-bit MsgId, always above 2^53: clients that read it as a JS number lose digits, as with WeChat. */
export const newMsgId = () => (BigInt(`0x${randomHex(8)}`) | (1n << 62n)).toString();
