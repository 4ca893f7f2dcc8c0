import { EventEmitter } from 'node:events';

/**
 * Redaction by exact field and parameter names, never by substring: `statusCode`, `errcode`,
 * `tenantId` and every other harmless field stay readable, while the fields that carry secrets
 * (WeChat's tokens, tickets, auth codes, signatures, keys, `Encrypt`; our own keys) are masked.
 * Names compare without case, `_` and `-`, so `auth_code`, `authCode` and `AuthCode` are one name.
 */
const normalise = (name: string) => name.toLowerCase().replace(/[_-]/g, '');

const SECRET_FIELDS: ReadonlySet<string> = new Set(
  [
    // HTTP credentials
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'idempotency-key',
    'apiKey',
    'operatorApiKey',
    'tenantApiKey',
    'password',
    // WeChat tokens and tickets
    'token',
    'access_token',
    'refresh_token',
    'component_access_token',
    'authorizer_access_token',
    'authorizer_refresh_token',
    'component_verify_ticket',
    'ComponentVerifyTicket',
    'verifyTicket',
    'ticket',
    // Authorization codes
    'pre_auth_code',
    'auth_code',
    'authorization_code',
    'AuthorizationCode',
    'PreAuthCode',
    'query_auth_code',
    // Signatures, keys and ciphertext of pushes
    'signature',
    'msg_signature',
    'Encrypt',
    'EncodingAESKey',
    'aesKey',
    'key',
    'secret',
    'appsecret',
    'component_appsecret',
    'componentAppSecret',
    'secretsKey',
    'webhookSecret',
  ].map(normalise),
);

/**
 * Query parameters masked in logged URLs: the secret fields, plus the callback's session id, and
 * web authorization's one-time `state` nonce and redemption ticket (`wtg_ticket`).
 */
const SECRET_QUERY: ReadonlySet<string> = new Set([
  ...SECRET_FIELDS,
  ...['session', 'sig', 'code', 'state', 'wtg_ticket'].map(normalise),
]);

export const REDACTED = '[REDACTED]';

/**
 * The gateway's own secrets by their shape (redemption tickets, tenant and token keys, webhook
 * secrets), wherever a client put one in a URL: a ticket pasted into the path is still a ticket.
 */
const OWN_SECRET = /\b(?:wor|wtg|wtt|whsec)_[A-Za-z0-9_+=-]{16,}/g;

export function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(normalise(name));
}

export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const [path, query] = url.split('?', 2);
  // The onboarding link's last segment is itself a credential.
  const safePath = path.replace(/^(\/onboarding\/)[^/?#]+/, `$1${REDACTED}`).replace(OWN_SECRET, REDACTED);
  if (query === undefined) return safePath;
  const masked = query
    .split('&')
    .map((pair) => {
      const [k] = pair.split('=', 1);
      return SECRET_QUERY.has(normalise(parameterName(k))) ? `${k}=${REDACTED}` : pair.replace(OWN_SECRET, REDACTED);
    })
    .join('&');
  return `${safePath}?${masked}`;
}

/**
 * A query parameter name as the application will read it: decoded, without a `[...]` suffix
 * (`auth_code[]=x` is still auth_code). A malformed escape (`%`, `%zz`) is dropped rather than
 * thrown on (logging must never throw), as the parser that reads the query drops it.
 */
function parameterName(name: string): string {
  const plus = name.replace(/\+/g, ' ');
  let decoded: string;
  try {
    decoded = decodeURIComponent(plus);
  } catch {
    decoded = plus.replace(/%(?![0-9a-f]{2})/gi, '');
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // still unreadable: test the raw name
    }
  }
  return decoded.replace(/\[.*$/, '').trim();
}

/** How much of a logged object redaction walks: logging costs the same whatever a request carries. */
const MAX_DEPTH = 6;
const MAX_NODES = 2000;
const MAX_STRING = 8192;

/**
 * Copy with secret fields masked, bounded in depth, in nodes and in string length. Only plain
 * objects and arrays are walked: bytes are named by their size and never expanded (a raw body
 * Buffer would become one key per byte), and live objects such as requests, responses and
 * sockets are left to the logger's serializers instead of being copied wholesale.
 */
export function redactDeep(value: unknown): unknown {
  const budget = { nodes: MAX_NODES };
  return redactNode(value, 0, budget);
}

function redactNode(value: unknown, depth: number, budget: { nodes: number }): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[${value.length} chars]` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Error || value instanceof EventEmitter) return value;
  if (depth > MAX_DEPTH || --budget.nodes < 0) return '[Truncated]';
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const v of value) {
      if (--budget.nodes < 0) return [...items, '[Truncated]'];
      items.push(redactNode(v, depth + 1, budget));
    }
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    if (--budget.nodes < 0) {
      out[k] = '[Truncated]';
      break;
    }
    out[k] = isSecretField(k) ? REDACTED : redactNode((value as Record<string, unknown>)[k], depth + 1, budget);
  }
  return out;
}
