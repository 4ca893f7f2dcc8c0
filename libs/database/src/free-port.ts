import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel hands out ports for outgoing connections from its ephemeral range, so a port
 * found there by binding port 0 can be taken by any connection opened before our listen.
 * Listening ports are therefore drawn at random from below that range.
 */
export function ephemeralPortRange(read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): {
  low: number;
  high: number;
} {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 1024 && high >= low) return { low, high };
  } catch {
    // not Linux: fall through to the IANA dynamic range
  }
  return { low: 49152, high: 65535 };
}

const FLOOR = 10000;

/** Whether 127.0.0.1:port can be listened on right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that is free now and that outgoing connections will not be given. */
export async function findFreePort(): Promise<number> {
  const { low } = ephemeralPortRange();
  const top = Math.max(FLOOR + 1000, low);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = FLOOR + Math.floor(Math.random() * (top - FLOOR));
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port found between ${FLOOR} and ${top}`);
}
