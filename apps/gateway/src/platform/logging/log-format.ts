import { Writable } from 'node:stream';

export type LogFormat = 'json' | 'pretty';

/** JSON lines for machines (not a terminal, or LOG_FORMAT=json); one compact line per event for people. */
export function chooseLogFormat(setting: string | undefined, stdoutIsTty: boolean): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return stdoutIsTty ? 'pretty' : 'json';
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
// Fields shown in the line's head or not worth a person's attention.
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'service', 'context', 'req', 'res', 'responseTime']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/**
 * One JSON log line (already redacted) as `12:00:01 INFO  [Context] message key=value …`;
 * request lines read `GET /v1/tenants → 200 12ms`. Lines that are not JSON pass through.
 */
export function formatLogLine(line: string, colour = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '';
  const levelText = colour
    ? `\u001b[${COLOURS[level] ?? '0'}m${LEVELS[level] ?? level}\u001b[0m`
    : (LEVELS[level] ?? String(level));
  const parts = [time, levelText];
  if (typeof o.context === 'string') parts.push(`[${o.context}]`);
  const req = o.req as { method?: string; url?: string } | undefined;
  const res = o.res as { statusCode?: number } | undefined;
  if (req?.method && res) {
    parts.push(
      `${req.method} ${req.url} → ${res.statusCode ?? '?'}${typeof o.responseTime === 'number' ? ` ${o.responseTime}ms` : ''}`,
    );
  } else if (o.msg !== undefined) {
    parts.push(String(o.msg));
  }
  for (const [k, v] of Object.entries(o)) {
    if (!SHOWN_ELSEWHERE.has(k) && v !== undefined) parts.push(`${k}=${value(v)}`);
  }
  return parts.filter(Boolean).join(' ');
}

/** A pino destination that writes the compact format to `out` (pino-pretty is not a dependency). */
export function prettyDestination(out: NodeJS.WritableStream = process.stdout, colour = Boolean(process.stdout.isTTY)): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) out.write(`${formatLogLine(line, colour)}\n`);
      cb();
    },
    final(cb) {
      if (pending) out.write(`${formatLogLine(pending, colour)}\n`);
      cb();
    },
  });
}

/** Nest's start-up chatter (one line per module and per route) is debug detail, not news. */
const START_UP_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

export function isStartUpChatter(context: unknown): boolean {
  return typeof context === 'string' && START_UP_CONTEXTS.has(context);
}
