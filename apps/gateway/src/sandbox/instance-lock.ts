import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One gateway per data directory: .data/gateway.lock names the running one's pid and URL, so a
 * second start says where the first one is instead of fighting over its ports, its PostgreSQL and
 * (through `npm start`'s build) its dist/. scripts/check-not-running.js reads the same file before
 * the build step; keep the two in step.
 */
export const INSTANCE_LOCK_FILE = 'gateway.lock';

interface LockContent {
  pid: number;
  url: string;
}

export class AlreadyRunningError extends Error {
  constructor(readonly lock: LockContent) {
    super(
      `The gateway is already running at ${lock.url} (pid ${lock.pid}); \`npm run sandbox:info\` shows its banner; stop it with Ctrl-C.`,
    );
  }
}

/** A live process that is a Node program (a pid reused by something else after a crash is not the gateway). */
function gatewayAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc (macOS): a live pid is taken at its word
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
    return Number.isInteger(v.pid) && typeof v.url === 'string' ? { pid: v.pid!, url: v.url } : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the data directory for this process, or throws AlreadyRunningError naming the live holder. Returns the release. */
export function acquireInstanceLock(dataDir: string, url: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, INSTANCE_LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, url });
  for (let attempt = 0; ; attempt++) {
    try {
      // Exclusive create: of two starts at the same moment, one wins.
      writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
      const held = readLock(file);
      if (held && held.pid !== process.pid && gatewayAlive(held.pid)) throw new AlreadyRunningError(held);
      // Left by a gateway that was killed (or half written): it is ours to replace.
      try {
        unlinkSync(file);
      } catch {
        /* another start removed it first; the next exclusive create decides */
      }
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      if (existsSync(file) && readLock(file)?.pid === process.pid) unlinkSync(file);
    } catch {
      /* best effort: a stale lock is recognised by its dead pid */
    }
  };
  process.once('exit', release);
  return release;
}

/** main.ts: take the data directory, or say where the running gateway is and exit 1 (before anything starts). */
export function lockDataDirOrExit(dataDir: string, url: string): () => void {
  try {
    return acquireInstanceLock(dataDir, url);
  } catch (e) {
    if (!(e instanceof AlreadyRunningError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
