/** Field names whose values never reach a log line (tokens, secrets, tickets, passwords, codes). */
export const SENSITIVE_FIELD = /token|secret|ticket|password|code|authorization|signature|encrypt/i;

/** Query parameters masked in logged URLs: the callback carries auth codes, pushes carry signatures. */
const SENSITIVE_QUERY = /token|secret|ticket|password|code|signature|session|sig/i;

export const REDACTED = '[REDACTED]';

export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const [path, query] = url.split('?', 2);
  // The onboarding link's last segment is itself a credential.
  const safePath = path.replace(/^(\/onboarding\/)[^/?#]+/, `$1${REDACTED}`);
  if (query === undefined) return safePath;
  const masked = query
    .split('&')
    .map((pair) => {
      const [k] = pair.split('=', 1);
      return SENSITIVE_QUERY.test(decodedName(k)) ? `${k}=${REDACTED}` : pair;
    })
    .join('&');
  return `${safePath}?${masked}`;
}

/**
 * A query parameter name as the application will read it. A malformed escape (`%`, `%zz`) is
 * not an error here (logging must never throw): the raw name is tested instead.
 */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** Deep copy with sensitive fields masked; bounded depth so a cyclic object cannot hang logging. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SENSITIVE_FIELD.test(k) && k !== 'err' ? REDACTED : redactDeep(v, depth + 1);
  }
  return out;
}
