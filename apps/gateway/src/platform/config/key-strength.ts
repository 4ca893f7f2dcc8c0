/** Operator keys must be at least this strong: they open every tenant. */
export const MIN_OPERATOR_KEY_BITS = 128;

/**
 * Entropy of a key estimated from its alphabet: length × log2(size of the character classes it
 * uses: lowercase 26, uppercase 26, digits 10, anything else 33). A key drawn from few distinct
 * characters (fewer than 8, as in `aaaaaaaaaaaaaaaa`) is not random whatever its length: 0.
 */
export function estimatedKeyBits(key: string): number {
  if (new Set(key).size < 8) return 0;
  let alphabet = 0;
  if (/[a-z]/.test(key)) alphabet += 26;
  if (/[A-Z]/.test(key)) alphabet += 26;
  if (/[0-9]/.test(key)) alphabet += 10;
  if (/[^A-Za-z0-9]/.test(key)) alphabet += 33;
  return Math.floor(key.length * Math.log2(alphabet));
}
