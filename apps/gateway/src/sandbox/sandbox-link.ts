import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo tenant's onboarding link, kept in .data/ because the database stores only a digest of
 * a session's token: without it a restart could not show the same link again and would open a new
 * session on every start (and stop at the per-tenant cap).
 */
export interface SavedSandboxLink {
  tenantId: string;
  sessionId: string;
  onboardingUrl: string;
}

/** A link is shown again only while its session has more than this left (time to finish onboarding). */
export const SANDBOX_LINK_MIN_REMAINING_MS = 3600_000;

const FILE = 'sandbox-onboarding.json';

export function readSandboxLink(dataDir: string): SavedSandboxLink | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedSandboxLink>;
    if (typeof v.tenantId === 'string' && typeof v.sessionId === 'string' && typeof v.onboardingUrl === 'string')
      return { tenantId: v.tenantId, sessionId: v.sessionId, onboardingUrl: v.onboardingUrl };
  } catch {
    /* unreadable: a new link replaces it */
  }
  return undefined;
}

export function saveSandboxLink(dataDir: string, link: SavedSandboxLink): void {
  const file = join(dataDir, FILE);
  // Written whole then renamed: a start and `npm run sandbox:info` never read half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(link, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * The saved link, if it belongs to the tenant and its session is still open with more than
 * SANDBOX_LINK_MIN_REMAINING_MS left; undefined when a new session is needed.
 */
export function reusableSandboxLink(
  saved: SavedSandboxLink | undefined,
  tenantId: string,
  open: { id: string; expiresAt: Date | string }[],
  now = Date.now(),
): SavedSandboxLink | undefined {
  if (!saved || saved.tenantId !== tenantId) return undefined;
  const session = open.find((s) => s.id === saved.sessionId);
  return session && new Date(session.expiresAt).getTime() - now > SANDBOX_LINK_MIN_REMAINING_MS ? saved : undefined;
}
