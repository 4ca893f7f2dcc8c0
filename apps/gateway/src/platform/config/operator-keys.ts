import { createHash } from 'node:crypto';
import { estimatedKeyBits, MIN_OPERATOR_KEY_BITS } from './key-strength';

/** An operator key and the name the audit trail knows it by. */
export interface OperatorKey {
  name: string;
  key: string;
}

export const OPERATOR_KEY_NAME = /^[a-z0-9._-]{1,32}$/;
/** What `openssl rand -hex` writes: before a colon, it is a piece of a key, not a name someone chose. */
const KEY_LIKE = /^[0-9a-f]{16,}$/;

/** A bare key's name: the first 8 hex digits of its SHA-256, stable and safe to show. */
export function operatorKeyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8);
}

/**
 * OPERATOR_API_KEYS: comma-separated `name:key` or bare `key` entries. A colon always means
 * "named", so a bare key holding a colon (its part before the colon not a valid name, or 16 hex
 * digits or more, which only a key looks like) is refused rather than guessed at. Problems name
 * entries by position, never by value: they are secrets.
 */
export function parseOperatorKeys(list: string): { keys: OperatorKey[]; problems: string[] } {
  const keys: OperatorKey[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  list
    .split(',')
    .map((entry) => entry.trim())
    .forEach((entry, i) => {
      if (!entry) return;
      const at = `entry ${i + 1} (by position)`;
      const colon = entry.indexOf(':');
      const name = colon < 0 ? operatorKeyFingerprint(entry) : entry.slice(0, colon);
      const key = colon < 0 ? entry : entry.slice(colon + 1);
      if (colon >= 0 && (!OPERATOR_KEY_NAME.test(name) || KEY_LIKE.test(name))) {
        problems.push(
          `${at} contains ':' but what comes before it is no name (1-32 characters a-z 0-9 . _ -, ` +
            'not a run of 16 or more hex digits); name the key as name:key (a bare key may not contain ":")',
        );
        return;
      }
      if (estimatedKeyBits(key) < MIN_OPERATOR_KEY_BITS) {
        problems.push(
          `${at} has less than ${MIN_OPERATOR_KEY_BITS} bits of entropy estimated from its alphabet; use e.g. \`openssl rand -hex 32\``,
        );
        return;
      }
      if (names.has(name)) {
        problems.push(`${at} repeats the name ${name}; each operator key needs its own name`);
        return;
      }
      names.add(name);
      keys.push({ name, key });
    });
  return { keys, problems };
}
